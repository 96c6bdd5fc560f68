import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import type { Command } from 'commander';
import packageJson from '../../../package.json' with { type: 'json' };
import { runDemo, type DemoSummary } from '../../demo/run-demo.ts';
import { coerceError } from '../../errors/coerce-error.ts';
import { UserError } from '../../errors/user-error.ts';
import { runTui } from '../../tui/run-tui.ts';
import type { CliContext } from '../cli-context.ts';

interface DemoFlags {
  readonly duration: string;
  readonly json?: boolean;
  readonly boot: string;
  readonly dir?: string;
  readonly tui: boolean;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('run the whole farm offline on embedded defaults (what npm start runs)')
    .option('--duration <seconds>', 'stop after this many seconds', '60')
    .option('--boot <ms>', 'simulated VM boot time in milliseconds', '1500')
    .option('--dir <dir>', 'where state, ledger, site, logs and mail go (default: .portfarm/demo-<time>)')
    .option('--json', 'print the summary as one JSON object')
    .option('--no-tui', 'print progress lines even on a terminal (default: the TUI when stdout is a terminal)')
    .action(async (flags: DemoFlags) => {
      const duration = Number(flags.duration);
      if (!Number.isFinite(duration) || duration < 5 || duration > 86_400) {
        throw new UserError(`--duration ${JSON.stringify(flags.duration)} is not a number of seconds from 5 to 86400; e.g. --duration 60`);
      }
      const bootMs = Number(flags.boot);
      if (!Number.isInteger(bootMs) || bootMs < 0 || bootMs > 600_000) throw new UserError(`--boot ${JSON.stringify(flags.boot)} is not milliseconds from 0 to 600000; e.g. --boot 1500`);
      const workDir = resolve(ctx.cwd, flags.dir ?? join('.portfarm', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`));
      // On a terminal the operator's TUI shows the farm live; elsewhere, plain progress lines.
      const stdin = ctx.stdin;
      const stdout = ctx.stdout;
      const useTui = flags.json !== true && flags.tui && stdout instanceof WriteStream && stdout.isTTY && stdin instanceof ReadStream && stdin.isTTY;
      const tuiStop = new AbortController();
      let tui: Promise<void> | undefined;
      let tuiDone = !useTui;
      try {
        mkdirSync(workDir, { recursive: true });
      } catch (caught) {
        throw new UserError(`--dir ${workDir} cannot be created (${coerceError(caught).message}); give a folder portfarm may create, e.g. --dir /tmp/demo`, { cause: caught });
      }
      const say = (line: string): void => {
        if (flags.json === true) return;
        if (tuiDone) ctx.stderr.write(`${line}\n`);
        else appendFileSync(join(workDir, 'progress.log'), `${line}\n`);
      };
      say(`portfarm demo: ${duration} s, two platforms on the fake VM backend, the GitHub double, real MacPorts commits; files in ${workDir}`);
      const summary = await runDemo({
        workDir,
        durationSeconds: duration,
        bootMs,
        version: packageJson.version,
        signal: ctx.signal,
        onProgress: say,
        onControllerUrl: (url, token) => {
          if (!useTui) return;
          const noColor = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
          tui = runTui({ url, token, stdin, stdout, signal: AbortSignal.any([ctx.signal, tuiStop.signal]), color: !noColor }).finally(() => {
            tuiDone = true;
          });
        },
      });
      tuiStop.abort();
      await tui;
      if (flags.json === true) ctx.stdout.write(`${JSON.stringify(summary)}\n`);
      else ctx.stdout.write(formatSummary(summary));
    });
}

function formatSummary(s: DemoSummary): string {
  const rows: [string, string | number][] = [
    ['commits replayed', s.commits],
    ['builds finished (ledger)', s.builds],
    ['builders queued', s.buildersQueued],
    ['superseded builds dropped', s.supersededDropped],
    ['preemptions (unstarted builder cancelled for a watcher)', s.preemptions],
    ['failures', s.failures],
    ['failure mails sent', s.mailsSent],
    ['check runs created (portfarm, per port and platform)', s.checkRuns],
    ['PR checks (GitHub Actions, per port and platform)', s.prChecks],
    ['PR checks failed (not mailed, nothing deployed)', s.prFailures],
    ['still pending at the end', s.pendingAtEnd],
    ['lost', s.lost],
    ['duplicated', s.duplicated],
    ['leftover VMs', s.leftoverVMs],
    ['leftover runner registrations', s.leftoverRunners],
    ['GitHub API calls', s.apiCalls],
    ['schema violations seen by the GitHub double', s.schemaViolations],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    '',
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
    `site:   ${s.site}`,
    `        ${s.siteServe}`,
    `mail:   ${s.outbox}`,
    `logs:   ${s.logs}`,
    `ledger: ${s.ledger}`,
    '',
  ].join('\n');
}
