import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { coerceError } from '../errors/coerce-error.ts';
import { ENVIRONMENT_TROUBLE_EXIT_CODE, findEnvironmentTrouble } from '../errors/environment-trouble.ts';
import { interruptionOf } from '../errors/interrupted.ts';
import { UserError } from '../errors/user-error.ts';
import type { CliContext } from './cli-context.ts';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * The subcommands, each in its own file under commands/, loaded only when asked for: `portfarm
 * site build` (run for every new ledger line's site update) need not load the controller, the
 * TUI and the simulator, about 1.4 s of CPU of module loading. Any other first word (help, a
 * typo, none) loads them all, in this order.
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Register>])[] = [
  ['serve', async () => (await import('./commands/serve.ts')).registerServe],
  ['tui', async () => (await import('./commands/tui.ts')).registerTui],
  ['site', async () => (await import('./commands/site.ts')).registerSite],
  ['simulate', async () => (await import('./commands/simulate.ts')).registerSimulate],
  ['demo', async () => (await import('./commands/demo.ts')).registerDemo],
  ['image', async () => (await import('./commands/image.ts')).registerImage],
  ['eta', async () => (await import('./commands/eta.ts')).registerEta],
];

/** Builds the `portfarm` command tree for `argv`: the subcommand it names, or all of them. */
export async function createProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('portfarm')
    .description('A package-build farm on GitHub Actions: one clean macOS VM and one ephemeral runner per build.')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true);
  const named = COMMANDS.filter(([name]) => name === argv[0]);
  for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program, ctx);
  for (const cmd of allCommands(program)) configureErrors(cmd, ctx);
  return program;
}

/** Runs the CLI and returns its exit code; never throws, never calls process.exit. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const program = await createProgram(ctx, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (caught) {
    return reportFailure(caught, ctx);
  }
}

function reportFailure(caught: unknown, ctx: CliContext): number {
  if (caught instanceof CommanderError) {
    // --help and --version end as "errors" with exit code 0; commander already wrote them.
    // Every other commander error is a usage error: exit 2, like mpbb and most CLIs.
    return caught.exitCode === 0 ? 0 : 2;
  }
  // SIGINT/SIGTERM: what the user asked for, not an internal error. 130 or 143, as a shell reports a process the signal ended.
  const interrupted = interruptionOf(caught, ctx.signal);
  if (interrupted !== undefined) {
    ctx.stderr.write(`portfarm: ${interrupted.message}\n`);
    return interrupted.exitCode;
  }
  if (caught instanceof UserError) {
    ctx.stderr.write(`portfarm: ${caught.message}\n`);
    return caught.exitCode;
  }
  // The network or a service is down: say what to check, no stack trace, and exit so that a supervisor tries again.
  const environment = findEnvironmentTrouble(caught);
  if (environment !== null) {
    ctx.stderr.write(`portfarm: ${environment.messages.join(': ')}\n`);
    return ENVIRONMENT_TROUBLE_EXIT_CODE;
  }
  const error = coerceError(caught);
  const chain: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e.message);
  ctx.stderr.write(`portfarm: internal error: ${chain.join(': ')}\n`);
  if (ctx.env.PORTFARM_DEBUG === '1' && error.stack !== undefined) ctx.stderr.write(`${error.stack}\n`);
  else ctx.stderr.write('(set PORTFARM_DEBUG=1 for the stack trace)\n');
  return 1;
}

function* allCommands(cmd: Command): Generator<Command> {
  yield cmd;
  for (const sub of cmd.commands) yield* allCommands(sub);
}

/**
 * Commander's own messages name the bad word; ours also list the valid ones, so a user never
 * has to run --help to learn what would have worked.
 */
function configureErrors(cmd: Command, ctx: CliContext): void {
  cmd.configureOutput({
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
    outputError: (s, write) => {
      write(s);
      const hint = hintFor(cmd, s);
      if (hint !== '') write(`${hint}\n`);
    },
  });
  cmd.exitOverride();
}

function hintFor(cmd: Command, message: string): string {
  const path = commandPath(cmd);
  if (message.includes('unknown command') || message.includes('too many arguments')) {
    return `valid subcommands of ${path}: ${cmd.commands.map((c) => c.name()).join(', ')} (see ${path} --help)`;
  }
  if (message.includes('unknown option')) {
    const flags = cmd.options.map((o) => o.long ?? o.short ?? o.flags).concat('--help');
    return `valid options of ${path}: ${flags.join(', ')}`;
  }
  if (message.includes('missing required argument') || message.includes('argument missing') || message.includes('not specified')) return `see ${path} --help`;
  return '';
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
