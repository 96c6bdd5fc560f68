import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { notImplemented } from './not-implemented.ts';

export function registerTui(program: Command, _ctx: CliContext): void {
  program
    .command('tui')
    .description("live dashboard of hosts, VM slots, runners, queues and failures (reads the controller's status API)")
    .option('-c, --config <file>', 'config file, for the controller URL (default: ./portfarm.config.yaml)')
    .option('--url <url>', 'controller URL (default: from the config)')
    .option('--json', 'print one snapshot as JSON and exit')
    .action(notImplemented('tui', 'the TUI'));
}
