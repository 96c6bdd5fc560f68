// npm run bench:scheduler [-- --data DIR --commits N --status-rounds N --status-only --json]: the
// policy table on the newest 3,000 commits of the MacPorts data set (commits only; a forced full
// rebuild at the window's start), parallel builders (K = 1, 2, 4, 8 beside legacy and proposed:
// 2 platforms, a forced rebuild at the start, failure rate 0.05) with the targets of issue #18,
// the speed of the queue core at full-rebuild size and the status snapshot's cost per scheduling
// round before and after the in-place preview (status-snapshot-cost.ts). Reads the full data
// set; not run in CI. --commits N: a smaller window; --status-only: only the status snapshot's
// cost (a minute or two), --status-rounds N rounds of it per scenario (300).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { createPlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import { POLICIES, POLICY_NAMES } from '../../controller/queue/core/queue-policy.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { loadCommits } from '../../controller/sim/load-commits.ts';
import { simulate } from '../../controller/sim/simulate.ts';
import type { SimulationResult } from '../../controller/sim/simulation-result.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { reportEtaAccuracy } from './eta-accuracy.ts';
import { reportStatusSnapshotCost } from './status-snapshot-cost.ts';
import { verdict } from './verdict.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(repo, '..', 'shared', 'data', 'macports') },
    commits: { type: 'string', default: '3000' },
    'status-rounds': { type: 'string', default: '300' },
    'status-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const data = values.data;
const commitCount = Number(values.commits);
if (!Number.isInteger(commitCount) || commitCount < 1) throw new Error(`--commits ${JSON.stringify(values.commits)} must be a whole number of commits, e.g. 3000`);
const statusRounds = Number(values['status-rounds']);
if (!Number.isInteger(statusRounds) || statusRounds < 1) throw new Error(`--status-rounds ${JSON.stringify(values['status-rounds'])} must be a whole number of rounds, e.g. 300`);
const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const loadStart = performance.now();
const graph = await loadPortsGraph(join(data, 'ports.json'));
if (values['status-only']) {
  out(`data: ${data}: ${String(graph.names.length)} ports and subports, loaded in ${(performance.now() - loadStart).toFixed(0)} ms`);
  const statusSnapshot = reportStatusSnapshotCost(graph, statusRounds, out);
  if (values.json) out(JSON.stringify({ statusSnapshot }));
  process.exit(statusSnapshot.every((s) => s.mismatches === 0) ? 0 : 1);
}
const commits = (await loadCommits(join(data, 'commits.ndjson'))).slice(-commitCount);
out(`data: ${data}: ${String(graph.names.length)} ports and subports, ${String(commits.length)} newest commits ` +
  `(${new Date(commits[0]?.time ?? 0).toISOString()} .. ${new Date(commits[commits.length - 1]?.time ?? 0).toISOString()}), loaded in ${(performance.now() - loadStart).toFixed(0)} ms`);
out();

const header = '| scenario | policy | builds | superseded | wasted h | latency p50 h | latency p95 h | watcher wait p50 h | watcher wait p95 h | max pending | pending count error | concurrency violations | scheduler ms | simulation ms |';
for (const scenario of ['commits only', 'full rebuild at start'] as const) {
  out(header);
  out(`|${'---|'.repeat(14)}`);
  const results = new Map<string, SimulationResult>();
  for (const policy of POLICY_NAMES) {
    const start = performance.now();
    const r = simulate({
      // The ETA is measured in its own section below (projecting a 41,548-port rebuild queue at every list would take hours).
      graph, commits, policy, platforms: 1, seed: 1, measureEta: false,
      fullRebuildAt: scenario === 'commits only' ? null : (commits[0]?.time ?? 0),
      clock: () => performance.now(),
    });
    const wall = performance.now() - start;
    results.set(policy, r);
    out(`| ${scenario} | ${policy} | ${String(r.builds)} | ${String(r.supersededBuilds)} | ${String(r.wastedBuildHours)} | ${String(r.latencyHours.p50)} | ${String(r.latencyHours.p95)} | ` +
      `${String(r.watcherWaitHours.p50)} | ${String(r.watcherWaitHours.p95)} | ${String(r.maxPending)} | ${String(r.pendingCountError)} | ${String(r.concurrencyViolations)} | ${String(r.schedulerMs)} | ${wall.toFixed(0)} |`);
  }
  const legacy = results.get('legacy');
  const portfarm = results.get('portfarm');
  if (legacy !== undefined && portfarm !== undefined) {
    const ratio = (a: number, b: number): string => (b === 0 ? 'n/a (legacy 0)' : (a / b).toPrecision(3));
    out();
    out(`${scenario}: portfarm/legacy wasted build-hours = ${ratio(portfarm.wastedBuildHours, legacy.wastedBuildHours)}, latency p95 = ${ratio(portfarm.latencyHours.p95, legacy.latencyHours.p95)}`);
  }
  out();
}

const etaAccuracy = reportEtaAccuracy(graph, commits, out);
out();
// Parallel builders (issue #18): a forced rebuild of every port at the window's start on two
// platforms, each port version failing with probability 0.05 (the same failures for every row).
const FAILURE_RATE = 0.05;
const laneRuns: { name: string; parallel: number; result: SimulationResult }[] = [];
out('| policy | parallel builds | builds | makespan h | lower bound h | makespan / bound | dependency violations | failures | doomed builds | doomed h | blocked builds | mails | mails about others | latency p95 h | simulation ms |');
out(`|${'---|'.repeat(15)}`);
for (const [policy, parallel] of [['legacy', 1], ['proposed', 1], ['portfarm', 1], ['portfarm', 2], ['portfarm', 4], ['portfarm', 8]] as const) {
  const start = performance.now();
  const r = simulate({ graph, commits, policy, platforms: 2, seed: 1, parallel, failureRate: FAILURE_RATE, fullRebuildAt: commits[0]?.time ?? 0, clock: () => performance.now() });
  laneRuns.push({ name: `${policy}:${String(parallel)}`, parallel, result: r });
  const ratio = r.makespanHours === null || r.lowerBoundHours === null || r.lowerBoundHours === 0 ? 'n/a' : (r.makespanHours / r.lowerBoundHours).toFixed(3);
  out(`| ${policy} | ${String(parallel)} | ${String(r.builds)} | ${String(r.makespanHours)} | ${String(r.lowerBoundHours)} | ${ratio} | ${String(r.dependencyViolations)} | ${String(r.failures)} | ` +
    `${String(r.doomedBuilds)} | ${String(r.doomedBuildHours)} | ${String(r.blockedBuilds)} | ${String(r.mailsSent)} | ${String(r.mailsAboutOthers)} | ${String(r.latencyHours.p95)} | ${(performance.now() - start).toFixed(0)} |`);
}
const lane = (name: string): SimulationResult | undefined => laneRuns.find((r) => r.name === name)?.result;
const k1 = lane('portfarm:1');
const k4 = lane('portfarm:4');
const legacyLanes = lane('legacy:1');
const targets: Record<string, boolean> = {};
if (k1?.makespanHours != null && k4?.makespanHours != null && k4.lowerBoundHours != null && legacyLanes !== undefined) {
  out();
  out(`K=4 makespan / K=1 makespan = ${verdict(k4.makespanHours / k1.makespanHours, '<=', 0.3, '', 3)}`);
  out(`K=4 makespan / its lower bound = ${verdict(k4.makespanHours / k4.lowerBoundHours, '<=', 1.25, '', 3)}`);
  const portfarmRuns = laneRuns.filter((r) => r.name.startsWith('portfarm'));
  targets.k4VersusK1 = k4.makespanHours / k1.makespanHours <= 0.3;
  targets.k4VersusBound = k4.makespanHours / k4.lowerBoundHours <= 1.25;
  targets.noDependencyViolations = portfarmRuns.every((r) => r.result.dependencyViolations === 0);
  targets.noDoomedBuilds = portfarmRuns.every((r) => r.result.doomedBuilds === 0) && legacyLanes.doomedBuilds > 0;
  targets.mailsOnlyForOwnFailures = portfarmRuns.every((r) => r.result.mailsAboutOthers === 0 && r.result.mailsSent === r.result.failures);
  out(`portfarm dependency violations at every K: ${targets.noDependencyViolations ? '0: ok' : 'over'}; doomed builds: portfarm 0, legacy ${String(legacyLanes.doomedBuilds)}: ${targets.noDoomedBuilds ? 'ok' : 'over'}; ` +
    `mails only to maintainers of ports that failed themselves: ${targets.mailsOnlyForOwnFailures ? 'ok' : 'over'}`);
}
out();

// Core speed 1: a forced rebuild of every port through the real service: validate the list,
// enqueue in rank order, coalesce, persist in one SQLite transaction (file database, WAL).
const dir = mkdtempSync(join(tmpdir(), 'portfarm-bench-'));
try {
  const db = openStore(join(dir, 'bench.sqlite'));
  const gateway = new FakeRunGateway();
  const service = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph, idPrefix: 'bench' });
  const signal = new AbortController().signal;
  const now = new Date(Date.UTC(2026, 7, 1));
  const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'abcdef0', changedPorts: null, force: true, prNumber: null, now });
  await service.pump(now, signal);
  service.runStarted(buildId, now);
  const everyPort = graph.names.map((_, id) => id).sort((a, b) => (graph.rank[b] ?? 0) - (graph.rank[a] ?? 0)).map((id) => graph.names[id] ?? '');
  const t0 = performance.now();
  const accepted = service.acceptPortList({ buildId, platform: '15_arm64', portsRevision: 'abcdef0', ports: everyPort, excluded: [] }, now);
  const enqueueMs = performance.now() - t0;
  out(`forced rebuild of all ${String(accepted.added.length)} ports (list given in reverse build order): validate + enqueue + order + persist = ${verdict(enqueueMs, '<', 2000, 'ms', 0)}`);
  service.runFinished(buildId, 'success', now);
  const t1 = performance.now();
  await service.pump(now, signal);
  out(`first pump at that size (select + record intent + dispatch + record run id) = ${(performance.now() - t1).toFixed(2)} ms`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Core speed 2: next() at full-rebuild size, with commit builders ahead of the rebuild so the
// dependency pull-forward walk runs (the slow path), then the plain path.
const queue = createPlatformQueue('15_arm64', POLICIES.portfarm, graph);
let ids = 0;
const ctx = { now: 0, newBuildId: (): string => `n${String(++ids)}` };
const forced = enqueueWatcher(queue, { portsRevision: 'abcdef0', changedPorts: null, force: true, prNumber: null }, ctx).entry;
markDispatching(queue, forced, 0);
markStarted(forced, 0);
enqueueBuilders(queue, { origin: forced, portsRevision: 'abcdef0', ports: graph.names }, ctx);
markFinished(queue, forced, 'success', 0);
const heavy = ['ffmpeg', 'gtk3', 'qt6-qtbase', 'py313-scipy', 'gimp3', 'vlc', 'inkscape', 'R-ggplot2'].filter((p) => graph.ids.has(p.toLowerCase()));
const commit = enqueueWatcher(queue, { portsRevision: 'abcdef1', changedPorts: heavy, force: false, prNumber: null }, ctx).entry;
markDispatching(queue, commit, 0);
markStarted(commit, 0);
enqueueBuilders(queue, { origin: commit, portsRevision: 'abcdef1', ports: heavy }, ctx);
markFinished(queue, commit, 'success', 0);
const measure = (count: number): { perCall: number; p99: number; worst: number; done: number } => {
  let worst = 0;
  let total = 0;
  let done = 0;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const next = selectNext(queue);
    const dt = performance.now() - t;
    if (next === null) break;
    total += dt;
    times.push(dt);
    worst = Math.max(worst, dt);
    done++;
    markDispatching(queue, next, i);
    markFinished(queue, next, 'success', i);
  }
  times.sort((a, b) => a - b);
  return { perCall: total / Math.max(1, done), p99: times[Math.floor(times.length * 0.99)] ?? 0, worst, done };
};
const pulled = measure(2000);
out(`next() with ${String(queue.entries.size + pulled.done)} queued, commit builders (${heavy.join(', ')}) pulling their rebuild dependencies forward: ` +
  `${(pulled.perCall * 1000).toFixed(1)} µs mean, ${pulled.worst.toFixed(3)} ms worst (a GC pause can land in one call) over ${String(pulled.done)} calls; p99 ${verdict(pulled.p99, '<', 1, 'ms', 3)}`);
const plain = measure(5000);
out(`next() on the rebuild alone (${String(queue.entries.size + plain.done)} queued): ${(plain.perCall * 1000).toFixed(1)} µs mean, ${plain.p99.toFixed(3)} ms p99, ${plain.worst.toFixed(3)} ms worst over ${String(plain.done)} calls`);
out();
const statusSnapshot = reportStatusSnapshotCost(graph, statusRounds, out);
if (values.json) {
  out(JSON.stringify({ commits: commits.length, failureRate: FAILURE_RATE, parallelBuilders: Object.fromEntries(laneRuns.map((r) => [r.name, r.result])), targets, eta: { etaError: etaAccuracy.etaError, etaErrorAtDispatch: etaAccuracy.etaErrorAtDispatch }, statusSnapshot }));
}
if (statusSnapshot.some((s) => s.mismatches > 0)) process.exitCode = 1;
