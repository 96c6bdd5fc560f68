import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { notImplemented } from './not-implemented.ts';

export function registerDemo(program: Command, _ctx: CliContext): void {
  program
    .command('demo')
    .description('run the whole farm offline on embedded defaults (what npm start runs)')
    .option('-c, --config <file>', 'config file (default: embedded defaults)')
    .option('--duration <seconds>', 'stop after this many seconds', '60')
    .option('--json', 'print the summary as one JSON object')
    .action(notImplemented('demo', 'the end-to-end issue'));
}
