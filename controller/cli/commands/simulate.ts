import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { notImplemented } from './not-implemented.ts';

export function registerSimulate(program: Command, _ctx: CliContext): void {
  program
    .command('simulate')
    .description('replay real commits through a scheduling policy and print its figures')
    .option('--ports <file>', 'ports.json of the MacPorts data set')
    .option('--commits <file>', 'commits.ndjson of the MacPorts data set')
    .option('--policy <policy>', 'legacy | proposed | portfarm', 'portfarm')
    .option('--platforms <n>', 'number of platform queues', '1')
    .option('--full-rebuild-at <iso>', 'inject a forced rebuild of all ports at this time')
    .option('--seed <n>', 'seed of the build-duration model', '1')
    .option('--json', 'print the result as one JSON object')
    .action(notImplemented('simulate', 'the reorder service'));
}
