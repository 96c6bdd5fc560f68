import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { NotImplementedError } from '../../errors/user-error.ts';
import type { CliContext } from '../cli-context.ts';

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the controller: webhooks, reorder service, runner manager, status API')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .action((options: { config?: string }) => {
      // Validate the config first: a bad config is reported even before the controller exists.
      loadConfig({ path: options.config, cwd: ctx.cwd }, ctx.env);
      throw new NotImplementedError('portfarm serve', 'the GitHub face and runner manager');
    });
}
