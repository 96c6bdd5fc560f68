import type { PortsGraph } from '../ports/ports-graph.ts';
import type { PolicyName } from '../queue/core/queue-policy.ts';
import { createDurationModel } from './duration-model.ts';
import { createFailureModel } from './failure-model.ts';
import type { SimCommit } from './load-commits.ts';
import { percentile } from './percentile.ts';
import type { PlatformRunFigures } from './platform-run-figures.ts';
import { simulatePlatform } from './simulate-platform.ts';
import type { EtaErrorFigures, SimulationResult } from './simulation-result.ts';

export interface SimulationInput {
  readonly graph: PortsGraph;
  /** Oldest first. */
  readonly commits: readonly SimCommit[];
  readonly policy: PolicyName;
  readonly platforms: number;
  /** Inject a forced rebuild of all ports at this time (ms); null for commits only. */
  readonly fullRebuildAt: number | null;
  readonly seed: number;
  /** Measure the ETA (portfarm only; default true; slow with a full rebuild: see PlatformRunInput). */
  readonly measureEta?: boolean | undefined;
  /** Builds per platform the ETA learns from before it is scored; default DEFAULT_WARM_UP_BUILDS. */
  readonly etaWarmUpBuilds?: number | undefined;
  /** Builds in flight at once per platform (`--parallel`, default 1). */
  readonly parallel?: number;
  /** Probability that a port version fails on a platform (`--failure-rate`, default 0). */
  readonly failureRate?: number;
  /** Measures the scheduler's own time (performance.now in the CLI); the simulated time never comes from it. */
  readonly clock: () => number;
  readonly signal?: AbortSignal | undefined;
  /** Called as commits are replayed: platform index (0-based), commits done, total. */
  readonly onProgress?: ((platform: number, done: number, total: number) => void) | undefined;
}

const HOUR = 3_600_000;

/** Runs `platforms` independent platform queues (each with its own build durations) and sums their figures. */
export function simulate(input: SimulationInput): SimulationResult {
  const runs = Array.from({ length: input.platforms }, (_, p) =>
    simulatePlatform({
      graph: input.graph,
      commits: input.commits,
      policy: input.policy,
      fullRebuildAt: input.fullRebuildAt,
      durations: createDurationModel(input.graph, input.seed * 1000 + p),
      parallel: input.parallel ?? 1,
      failures: createFailureModel(input.seed * 1000 + p, input.failureRate ?? 0),
      seed: input.seed * 1000 + p,
      etaWarmUpBuilds: input.etaWarmUpBuilds,
      measureEta: input.measureEta,
      clock: input.clock,
      signal: input.signal,
      onCommit: input.onProgress === undefined ? undefined : (done) => input.onProgress?.(p, done, input.commits.length),
    }),
  );
  const latencies = runs.flatMap((r) => r.latencies);
  const waits = runs.flatMap((r) => r.watcherWaits);
  const samples = runs.reduce((s, r) => s + r.pendingSamples, 0);
  const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
  const sum = (figure: (r: (typeof runs)[number]) => number): number => runs.reduce((s, r) => s + figure(r), 0);
  const makespans = runs.flatMap((r) => (r.makespanMs === null ? [] : [r.makespanMs]));
  return {
    policy: input.policy,
    commits: input.commits.length,
    builds: runs.reduce((s, r) => s + r.builds, 0),
    supersededBuilds: runs.reduce((s, r) => s + r.supersededBuilds, 0),
    wastedBuildHours: round(runs.reduce((s, r) => s + r.wastedMs, 0) / HOUR, 1),
    latencyHours: { p50: round(percentile(latencies, 50) / HOUR), p95: round(percentile(latencies, 95) / HOUR) },
    watcherWaitHours: { p50: round(percentile(waits, 50) / HOUR), p95: round(percentile(waits, 95) / HOUR) },
    maxPending: Math.max(0, ...runs.map((r) => r.maxPending)),
    pendingCountError: samples === 0 ? 0 : round(runs.reduce((s, r) => s + r.pendingErrorSum, 0) / samples, 1),
    concurrencyViolations: runs.reduce((s, r) => s + r.concurrencyViolations, 0),
    schedulerMs: round(runs.reduce((s, r) => s + r.schedulerMs, 0), 1),
    makespanHours: makespans.length === 0 ? null : round(Math.max(...makespans) / HOUR),
    lowerBoundHours: makespans.length === 0 ? null : round(Math.max(...runs.map((r) => Math.max(r.rebuildWorkMs / (input.parallel ?? 1), r.rebuildChainMs))) / HOUR),
    dependencyViolations: sum((r) => r.dependencyViolations),
    doomedBuilds: sum((r) => r.doomedBuilds),
    doomedBuildHours: round(sum((r) => r.doomedMs) / HOUR, 1),
    blockedBuilds: sum((r) => r.blockedBuilds),
    failures: sum((r) => r.failures),
    mailsSent: sum((r) => r.mailsSent),
    mailsAboutOthers: sum((r) => r.innocentMails),
    etaError: etaFigures(runs, 'list'),
    etaErrorAtDispatch: etaFigures(runs, 'dispatch'),
  };
}

/** The ETA's errors over every platform; null for a policy without an ETA. */
function etaFigures(runs: readonly PlatformRunFigures[], when: 'list' | 'dispatch'): EtaErrorFigures | null {
  const measured = runs.flatMap((r) => (r.eta === null ? [] : [r.eta[when]]));
  if (measured.length === 0) return null;
  const errors = measured.flatMap((m) => m.errors);
  const inRange = measured.reduce((s, m) => s + m.inRange, 0);
  const round = (n: number): number => Number(n.toFixed(3));
  return {
    p50: round(percentile(errors, 50)),
    p90: round(percentile(errors, 90)),
    n: errors.length,
    coverage: errors.length === 0 ? 0 : round(inRange / errors.length),
    unknown: measured.reduce((s, m) => s + m.unknown, 0),
    warmUp: measured.reduce((s, m) => s + m.warmUp, 0),
  };
}
