import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { notImplemented } from './not-implemented.ts';

export function registerSite(program: Command, _ctx: CliContext): void {
  const site = program.command('site').description('the static site of stable build-log URLs');
  site
    .command('build')
    .description('write the static site from the build ledger')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .option('--ledger <file>', 'build ledger (NDJSON, one build per line)')
    .option('--out <dir>', 'output folder (default: site.out from the config)')
    .action(notImplemented('site build', 'the static site'));
  site
    .command('resolve')
    .description('print the URL a browser ends up at for a legacy buildbot path')
    .argument('<path>', 'a legacy path, e.g. /builders/ports-10.15_x86_64-builder/builds/32503')
    .option('--site <dir>', 'a site written by portfarm site build')
    .action(notImplemented('site resolve', 'the static site'));
}
