import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/user-error.ts';
import { loadPortsGraph } from '../../ports/load-ports-graph.ts';
import { POLICY_NAMES, type PolicyName } from '../../queue/core/queue-policy.ts';
import { loadCommits } from '../../sim/load-commits.ts';
import { simulate } from '../../sim/simulate.ts';
import type { CliContext } from '../cli-context.ts';

interface SimulateOptions {
  readonly ports?: string;
  readonly commits?: string;
  readonly policy: string;
  readonly platforms: string;
  readonly fullRebuildAt?: string;
  readonly seed: string;
  readonly etaWarmUp: string;
  readonly eta: boolean;
  readonly parallel: string;
  readonly failureRate: string;
  readonly json?: boolean;
}

export function registerSimulate(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('replay real commits through a scheduling policy and print its figures')
    .option('--ports <file>', 'ports.json of the MacPorts data set')
    .option('--commits <file>', 'commits.ndjson of the MacPorts data set')
    .option('--policy <policy>', 'legacy | proposed | portfarm', 'portfarm')
    .option('--platforms <n>', 'number of platform queues', '1')
    .option('--full-rebuild-at <iso>', 'inject a forced rebuild of all ports at this time')
    .option('--seed <n>', 'seed of the build-duration model', '1')
    .option('--eta-warm-up <builds>', 'builds per platform the ETA learns from before its errors are counted (a farm starts with its ledger, the simulator with nothing)', '300')
    .option('--no-eta', 'do not measure the ETA (with --full-rebuild-at it projects a queue of every port at each list: slow)')
    .option('--parallel <k>', 'builds in flight at once per platform (platforms[].parallelBuilds)', '1')
    .option('--failure-rate <r>', 'probability that a port version fails on a platform', '0')
    .option('--json', 'print the result as one JSON object')
    .action(async (options: SimulateOptions) => {
      const policy = POLICY_NAMES.find((p) => p === options.policy);
      if (policy === undefined) throw new UserError(`--policy ${JSON.stringify(options.policy)} is not a policy; use one of ${POLICY_NAMES.join(', ')}`);
      const platforms = wholeNumber('--platforms', options.platforms, 1, 64);
      const seed = wholeNumber('--seed', options.seed, 0, 2 ** 31 - 1);
      const etaWarmUpBuilds = wholeNumber('--eta-warm-up', options.etaWarmUp, 0, 1_000_000);
      const parallel = wholeNumber('--parallel', options.parallel, 1, 256);
      const failureRate = Number(options.failureRate);
      if (!/^(0|1|0?\.\d+)$/.test(options.failureRate) || failureRate > 1) {
        throw new UserError(`--failure-rate ${JSON.stringify(options.failureRate)} must be a probability from 0 to 1, e.g. 0.05`);
      }
      if (options.ports === undefined) throw new UserError('--ports is required: the ports.json of the MacPorts data set (e.g. controller/demo/data/ports.json, a slice of the real one)');
      if (options.commits === undefined) throw new UserError('--commits is required: the commits.ndjson of the MacPorts data set (e.g. controller/demo/data/commits.ndjson)');
      let fullRebuildAt: number | null = null;
      if (options.fullRebuildAt !== undefined) {
        fullRebuildAt = Date.parse(options.fullRebuildAt);
        if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(options.fullRebuildAt) || Number.isNaN(fullRebuildAt)) {
          throw new UserError(`--full-rebuild-at ${JSON.stringify(options.fullRebuildAt)} is not an ISO 8601 time; use e.g. 2026-05-01T00:00:00Z`);
        }
      }
      const graph = await loadPortsGraph(resolve(ctx.cwd, options.ports), ctx.signal);
      const commits = await loadCommits(resolve(ctx.cwd, options.commits), ctx.signal);
      ctx.stderr.write(`simulate: ${String(commits.length)} commits, ${String(graph.names.length)} ports, policy ${policy}, ${String(platforms)} platform(s)${parallel === 1 ? '' : ` × ${String(parallel)} builders`}\n`);
      let reported = -1;
      const result = simulate({
        graph,
        commits,
        policy: policy satisfies PolicyName,
        platforms,
        fullRebuildAt,
        seed,
        etaWarmUpBuilds,
        measureEta: options.eta,
        parallel,
        failureRate,
        clock: () => performance.now(),
        signal: ctx.signal,
        onProgress: (platform, done, total) => {
          const tenth = Math.floor((10 * done) / total);
          if (tenth === reported && done !== total) return;
          reported = tenth;
          ctx.stderr.write(`simulate: platform ${String(platform + 1)}/${String(platforms)}: ${String(done)}/${String(total)} commits\n`);
        },
      });
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const lines = Object.entries(result).map(([key, value]: [string, unknown]) => `${key.padEnd(22)} ${formatFigure(value)}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    });
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UserError(`${flag} ${JSON.stringify(text)} must be a whole number from ${String(min)} to ${String(max)}`);
  }
  return value;
}

function formatFigure(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'p50' in value && 'p95' in value) return `p50 ${String(value.p50)}  p95 ${String(value.p95)}`;
  if (typeof value === 'object' && value !== null && 'p90' in value && 'p50' in value && 'n' in value && 'coverage' in value) {
    return `p50 ${String(value.p50)}  p90 ${String(value.p90)}  n ${String(value.n)}  in range ${String(value.coverage)}`;
  }
  if (value === null) return 'n/a';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
