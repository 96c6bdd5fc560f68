import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load-config.ts';
import { UserError } from '../../errors/user-error.ts';
import { describeEta } from '../../eta/describe-eta.ts';
import { EtaFetchError, fetchEtaAnswer } from '../../eta/fetch-eta-answer.ts';
import { explainBadPortName } from '../../model/port-name.ts';
import { controllerUrlFromConfig, parseControllerUrl } from '../../tui/controller-url.ts';
import { STATUS_TOKEN_ENV } from '../../tui/status-headers.ts';
import type { CliContext } from '../cli-context.ts';

interface EtaOptions {
  readonly platform?: string;
  readonly url?: string;
  readonly config?: string;
  readonly json?: boolean;
}

/** Exit code when the controller cannot be read (2 stays "usage"), as for `portfarm tui`. */
const EXIT_UNREACHABLE = 1;

export function registerEta(program: Command, ctx: CliContext): void {
  program
    .command('eta')
    .description("when a port's build is expected to be done, per platform (asks the controller's GET /api/eta)")
    .argument('<port>', 'the port, e.g. curl')
    .option('--platform <platform>', 'only this platform, e.g. 15_arm64')
    .option('--url <url>', 'controller URL (default: controller.publicUrl of the config, else http://controller.host:controller.port)')
    .option('-c, --config <file>', 'config file, for the controller URL (default: ./portfarm.config.yaml)')
    .option('--json', 'print the controller\'s answer as one JSON object')
    .addHelpText(
      'after',
      '\nPrints one line per platform where the port is queued or building, e.g.\n' +
        '  curl: queued on 15_arm64, 37th in line, estimated ready around 14:20 UTC (13:50–15:10)\n' +
        'The range is the 20th–80th percentile; docs/eta.md says how it is made and how accurate it is.\n' +
        `The status token is read from ${STATUS_TOKEN_ENV} (or the variable the config names in controller.statusTokenEnv).\n` +
        'Exit codes: 0 ok (also when nothing is queued), 1 controller unreachable or unreadable, 2 usage or config error.',
    )
    .action(async (port: string, options: EtaOptions) => {
      const bad = explainBadPortName(port);
      if (bad !== undefined) throw new UserError(bad);
      const { url, token } = options.url !== undefined ? { url: parseControllerUrl(options.url), token: nonEmpty(ctx.env[STATUS_TOKEN_ENV]) } : fromConfig(options, ctx);
      const answer = await fetchEtaAnswer(url, { port, platform: options.platform }, ctx.signal, token).catch((caught: unknown) => {
        if (!(caught instanceof EtaFetchError)) throw caught;
        throw new UserError(caught.message, caught.refused ? {} : { exitCode: EXIT_UNREACHABLE });
      });
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify(answer)}\n`);
        return;
      }
      const now = new Date(answer.generatedAt);
      const where = options.platform === undefined ? '' : ` on ${options.platform}`;
      const lines = answer.builds.length === 0 ? [`${answer.port}: nothing queued${where} (built already, or not changed since its last build)`] : answer.builds.map((b) => `${answer.port}: ${describeEta(b, now)}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function fromConfig(options: EtaOptions, ctx: CliContext): { readonly url: string; readonly token: string | undefined } {
  if (options.config === undefined && !existsSync(resolve(ctx.cwd, DEFAULT_CONFIG_FILE))) {
    throw new UserError(`no controller URL: pass --url http://HOST:PORT, or --config FILE, or run where ${DEFAULT_CONFIG_FILE} is (looked in ${ctx.cwd})`);
  }
  const config = loadConfig({ path: options.config, cwd: ctx.cwd }, ctx.env);
  return { url: controllerUrlFromConfig(config), token: config.controller.statusToken };
}
