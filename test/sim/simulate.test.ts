import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { createDurationModel } from '../../controller/sim/duration-model.ts';
import { createFailureModel } from '../../controller/sim/failure-model.ts';
import { loadCommits } from '../../controller/sim/load-commits.ts';
import { simulate } from '../../controller/sim/simulate.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const fixtures = new URL('../fixtures/macports/', import.meta.url).pathname;
const ports = join(fixtures, 'ports.json');
const commitsFile = join(fixtures, 'commits.ndjson');
const KEYS = ['policy', 'commits', 'builds', 'supersededBuilds', 'wastedBuildHours', 'latencyHours', 'watcherWaitHours', 'maxPending', 'pendingCountError', 'concurrencyViolations', 'schedulerMs',
  'makespanHours', 'lowerBoundHours', 'dependencyViolations', 'doomedBuilds', 'doomedBuildHours', 'blockedBuilds', 'failures', 'mailsSent', 'mailsAboutOthers',
  'etaError', 'etaErrorAtDispatch'];

test('portfarm simulate --json prints one object with exactly the DESIGN.md keys, the same for the same seed', async () => {
  const args = ['simulate', '--ports', ports, '--commits', commitsFile, '--policy', 'portfarm', '--seed', '3', '--eta-warm-up', '20', '--json'];
  const first = await captureCli(args);
  assert.equal(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(result), KEYS);
  assert.equal(typeof result.schedulerMs, 'number');
  const { schedulerMs: _ignored, etaError, etaErrorAtDispatch, ...figures } = result;
  assert.deepEqual(figures, {
    policy: 'portfarm',
    commits: 60,
    builds: 113,
    supersededBuilds: 0,
    wastedBuildHours: 0,
    latencyHours: { p50: 0.42, p95: 1.73 },
    watcherWaitHours: { p50: 0.02, p95: 0.12 },
    maxPending: 14,
    pendingCountError: 0.4,
    concurrencyViolations: 0,
    makespanHours: null,
    lowerBoundHours: null,
    dependencyViolations: 0,
    doomedBuilds: 0,
    doomedBuildHours: 0,
    blockedBuilds: 0,
    failures: 0,
    mailsSent: 0,
    mailsAboutOthers: 0,
  });
  // Every build that finished was estimated at its list and at its dispatch, or counted as unknown or in the warm-up.
  for (const eta of [etaError, etaErrorAtDispatch] as { p50: number; p90: number; n: number; coverage: number; unknown: number; warmUp: number }[]) {
    assert.equal(eta.n + eta.unknown + eta.warmUp, figures.builds);
    assert.ok(eta.warmUp > 0, JSON.stringify(eta));
    assert.ok(eta.n > 60 && eta.p50 > 0 && eta.p50 <= eta.p90 && eta.coverage > 0 && eta.coverage < 1, JSON.stringify(eta));
  }
  const second = JSON.parse((await captureCli(args)).stdout) as Record<string, unknown>;
  assert.deepEqual({ ...second, schedulerMs: 0 }, { ...result, schedulerMs: 0 });
  assert.match(first.stderr, /^simulate: 60 commits, 4266 ports, policy portfarm, 1 platform\(s\)\n/);
  assert.match(first.stderr, /simulate: platform 1\/1: 60\/60 commits\n$/);
});

test('bad flags and malformed data files are refused with the value and the fix, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-sim-'));
  writeFileSync(join(dir, 'bad.ndjson'), '{"sha":"abcdef1","time":"2026-01-01T00:00:00Z","ports":["curl"]}\n{"sha":"abcdef2","time":"yesterday","ports":[]}\n');
  writeFileSync(join(dir, 'slash.ndjson'), '{"sha":"abcdef1","time":"2026-01-01T00:00:00Z","ports":["net/curl"]}\n');
  const cases: [string[], string][] = [
    [['--policy', 'fifo'], 'portfarm: --policy "fifo" is not a policy; use one of legacy, proposed, portfarm\n'],
    [['--platforms', '0'], 'portfarm: --platforms "0" must be a whole number from 1 to 64\n'],
    [['--parallel', '0'], 'portfarm: --parallel "0" must be a whole number from 1 to 256\n'],
    [['--failure-rate', '5%'], 'portfarm: --failure-rate "5%" must be a probability from 0 to 1, e.g. 0.05\n'],
    [['--failure-rate', '1.5'], 'portfarm: --failure-rate "1.5" must be a probability from 0 to 1, e.g. 0.05\n'],
    [['--full-rebuild-at', 'soon'], 'portfarm: --full-rebuild-at "soon" is not an ISO 8601 time; use e.g. 2026-05-01T00:00:00Z\n'],
    [['--commits', 'bad.ndjson'], `portfarm: ${join(dir, 'bad.ndjson')}:2: time must be an ISO 8601 time with offset\n`],
    [['--commits', 'slash.ndjson'], `portfarm: ${join(dir, 'slash.ndjson')}:1: port name "net/curl" contains "/"; give the port's name (e.g. curl), not its path\n`],
  ];
  for (const [flags, stderr] of cases) {
    const args = ['simulate', '--ports', ports, '--commits', commitsFile, ...flags];
    const result = await captureCli(args.slice(0, 3).concat(flags.includes('--commits') ? [] : args.slice(3, 5), flags), { cwd: dir });
    assert.equal(result.code, 2, flags.join(' '));
    assert.equal(result.stderr.split('\n').filter((l) => !l.startsWith('simulate:')).join('\n'), stderr);
    assert.equal(result.stdout, '');
  }
});

test('on a long window with a forced rebuild, only legacy runs a watcher beside a builder after restarts; portfarm wastes least', async () => {
  const graph = await loadPortsGraph(ports);
  // The fixture's commits spread one every two days, so restarts (about one in three weeks) fall inside busy periods.
  const commits = (await loadCommits(commitsFile)).map((c, i) => ({ ...c, time: Date.UTC(2026, 0, 1) + i * 2 * 86_400_000 }));
  const run = (policy: 'legacy' | 'proposed' | 'portfarm') =>
    simulate({ graph, commits, policy, platforms: 2, fullRebuildAt: Date.UTC(2026, 0, 1), seed: 1, clock: () => 0 });
  const legacy = run('legacy');
  const proposed = run('proposed');
  const portfarm = run('portfarm');
  assert.ok(legacy.concurrencyViolations > 0, `legacy violations ${String(legacy.concurrencyViolations)}`);
  assert.equal(proposed.concurrencyViolations, 0);
  assert.equal(portfarm.concurrencyViolations, 0);
  assert.ok(portfarm.wastedBuildHours < legacy.wastedBuildHours, `${String(portfarm.wastedBuildHours)} < ${String(legacy.wastedBuildHours)}`);
  assert.ok(portfarm.latencyHours.p95 < legacy.latencyHours.p95);
  assert.equal(portfarm.schedulerMs, 0, 'the injected clock is the only clock the simulation reads');
  // Only portfarm has an ETA to measure.
  assert.equal(legacy.etaError, null);
  assert.equal(proposed.etaErrorAtDispatch, null);
  assert.ok((portfarm.etaError?.n ?? 0) > 0);
});

test('--no-eta leaves the ETA unmeasured (a full rebuild would project every port at each list): the other figures do not change', async () => {
  const args = ['simulate', '--ports', ports, '--commits', commitsFile, '--seed', '3', '--json'];
  const measured = JSON.parse((await captureCli(args)).stdout) as Record<string, unknown>;
  const skipped = JSON.parse((await captureCli([...args, '--no-eta'])).stdout) as Record<string, unknown>;
  assert.equal(skipped.etaError, null);
  assert.equal(skipped.etaErrorAtDispatch, null);
  assert.notEqual(measured.etaError, null);
  assert.deepEqual({ ...skipped, schedulerMs: 0, etaError: 0, etaErrorAtDispatch: 0 }, { ...measured, schedulerMs: 0, etaError: 0, etaErrorAtDispatch: 0 });
});

test('parallel builders with failures: K=4 finishes a forced rebuild far sooner, near its lower bound, with no dependency violated and nothing doomed', async () => {
  const graph = await loadPortsGraph(ports);
  const commits = await loadCommits(commitsFile);
  const run = (policy: 'legacy' | 'portfarm', parallel: number) =>
    simulate({ graph, commits, policy, platforms: 2, parallel, failureRate: 0.05, fullRebuildAt: commits[0]?.time ?? 0, seed: 1, clock: () => 0 });
  const legacy = run('legacy', 1);
  const k1 = run('portfarm', 1);
  const k2 = run('portfarm', 2);
  const k4 = run('portfarm', 4);
  for (const r of [k1, k2, k4]) {
    assert.equal(r.dependencyViolations, 0);
    assert.equal(r.doomedBuilds, 0);
    assert.equal(r.mailsAboutOthers, 0);
    assert.equal(r.mailsSent, r.failures, 'one mail per port that failed itself');
    assert.ok(r.blockedBuilds > 0, 'dependents of failed ports are held');
    assert.equal(r.concurrencyViolations, 0);
  }
  assert.ok(legacy.doomedBuilds > 0 && legacy.mailsAboutOthers === legacy.doomedBuilds, `legacy doomed ${String(legacy.doomedBuilds)}`);
  assert.ok(legacy.doomedBuildHours > 0);
  assert.ok(k1.makespanHours !== null && k4.makespanHours !== null && k4.lowerBoundHours !== null);
  assert.ok(k4.makespanHours <= 0.3 * k1.makespanHours, `K=4 ${String(k4.makespanHours)} h against K=1 ${String(k1.makespanHours)} h`);
  assert.ok(k4.makespanHours <= 1.25 * k4.lowerBoundHours, `K=4 ${String(k4.makespanHours)} h against its bound ${String(k4.lowerBoundHours)} h`);
  assert.ok(k4.makespanHours >= k4.lowerBoundHours, 'no schedule beats the lower bound');
});

test('the failure model fails each port version with the given probability, the same way every time it is asked', () => {
  const model = createFailureModel(7, 0.05);
  const again = createFailureModel(7, 0.05);
  let failed = 0;
  for (let v = 0; v < 20_000; v++) {
    const fails = model.fails('qt6-qtbase', v);
    assert.equal(again.fails('qt6-qtbase', v), fails);
    if (fails) failed += 1;
    const part = model.failingPart('qt6-qtbase', v);
    assert.ok(part >= 0.2 && part <= 0.8);
  }
  assert.ok(Math.abs(failed / 20_000 - 0.05) < 0.01, `${String(failed)} of 20000 failed`);
  assert.equal(createFailureModel(7, 0).fails('qt6-qtbase', 1), false);
  assert.throws(() => createFailureModel(7, 1.5), /failure rate 1.5 must be from 0 to 1/);
});

test('each build of a port varies around its typical duration (log-normal, sigma 0.25), the same build always taking the same time', async () => {
  const graph = await loadPortsGraph(ports);
  const model = createDurationModel(graph, 1);
  const typical = model.build('curl');
  const logs: number[] = [];
  for (let v = 0; v < 4000; v++) {
    const run = model.run('curl', v);
    assert.equal(model.run('curl', v), run);
    logs.push(Math.log(run / typical));
  }
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
  assert.ok(Math.abs(mean) < 0.02, `mean log ratio ${String(mean)}`);
  assert.ok(Math.abs(sigma - 0.25) < 0.02, `sigma ${String(sigma)}`);
});
