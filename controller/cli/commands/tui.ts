import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load-config.ts';
import { UserError } from '../../errors/user-error.ts';
import { controllerUrlFromConfig, parseControllerUrl } from '../../tui/controller-url.ts';
import { printStatusOnce } from '../../tui/print-status-once.ts';
import { runTui } from '../../tui/run-tui.ts';
import { StatusFetchError } from '../../tui/status-fetch-error.ts';
import { STATUS_TOKEN_ENV } from '../../tui/status-headers.ts';
import type { CliContext } from '../cli-context.ts';

interface TuiOptions {
  readonly config?: string;
  readonly url?: string;
  readonly json?: boolean;
}

/** Exit code of the one-shot mode when the controller cannot be read (2 stays "usage"). */
export const EXIT_UNREACHABLE = 1;

export function registerTui(program: Command, ctx: CliContext): void {
  program
    .command('tui')
    .description("live dashboard of hosts, VM slots, runners, queues and failures (reads the controller's status API)")
    .option('-c, --config <file>', 'config file, for the controller URL (default: ./portfarm.config.yaml)')
    .option('--url <url>', 'controller URL (default: controller.publicUrl, else http://controller.host:controller.port)')
    .option('--json', 'print one snapshot as JSON and exit')
    .addHelpText(
      'after',
      '\nWhen stdout is not a terminal, prints one snapshot as plain text and exits.\n' +
        'Exit codes: 0 ok, 1 controller unreachable or unreadable (one-shot), 2 usage or config error.\n' +
        'Keys: ? help, / filter, tab/arrows panes, enter details, q quit. NO_COLOR turns colour off.\n' +
        `The status token is read from the environment variable the config names in controller.statusTokenEnv (default ${STATUS_TOKEN_ENV}),\n` +
        'the same one the controller takes it from; it is sent as Authorization: Bearer <token>.',
    )
    .action(async (options: TuiOptions) => {
      const { url, token } = options.url !== undefined ? { url: parseControllerUrl(options.url), token: tokenFromEnv(ctx.env, STATUS_TOKEN_ENV) } : fromConfig(options, ctx);
      const stdin = ctx.stdin;
      if (options.json === true || !(ctx.stdout instanceof WriteStream) || !ctx.stdout.isTTY || !(stdin instanceof ReadStream) || !stdin.isTTY) {
        try {
          await printStatusOnce({ url, ...(token === undefined ? {} : { token }), json: options.json === true, stdout: ctx.stdout, signal: ctx.signal });
        } catch (caught) {
          if (caught instanceof StatusFetchError) throw new UserError(caught.message, { exitCode: EXIT_UNREACHABLE, cause: caught });
          throw caught;
        }
        return;
      }
      const noColor = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
      await runTui({ url, ...(token === undefined ? {} : { token }), stdin, stdout: ctx.stdout, signal: ctx.signal, color: !noColor });
    });
}

function tokenFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const token = env[name];
  return token === undefined || token === '' ? undefined : token;
}

function fromConfig(options: TuiOptions, ctx: CliContext): { readonly url: string; readonly token: string | undefined } {
  if (options.config === undefined && !existsSync(resolve(ctx.cwd, DEFAULT_CONFIG_FILE))) {
    throw new UserError(
      `no controller URL: pass --url http://HOST:PORT, or --config FILE, or run where ${DEFAULT_CONFIG_FILE} is (looked in ${ctx.cwd})`,
    );
  }
  const config = loadConfig({ path: options.config, cwd: ctx.cwd }, ctx.env);
  return { url: controllerUrlFromConfig(config), token: config.controller.statusToken };
}
