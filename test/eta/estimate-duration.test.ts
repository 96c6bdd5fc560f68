import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDurationHistory, recordRun, type FinishedRun } from '../../controller/eta/duration-history.ts';
import { estimateBuild, estimateWatcher, perBuildSpread } from '../../controller/eta/estimate-duration.ts';

const MIN = 60_000;
const run = (platform: string, port: string | null, minutes: number, closureSize: number | null = 10): FinishedRun => ({ platform, port, durationMs: minutes * MIN, closureSize });

test("a port's own builds on the platform: the median of the last ones, so one odd build does not move it", () => {
  const history = createDurationHistory();
  for (const minutes of [10, 11, 9, 240, 10]) recordRun(history, run('15_arm64', 'curl', minutes));
  const estimate = estimateBuild(history, '15_arm64', 'Curl', 10);
  assert.equal(estimate?.source, 'port');
  assert.equal(estimate.samples, 5);
  assert.equal(Math.round(estimate.median / MIN), 10);
});

test('only the last builds count: a port that got faster is believed within a few builds', () => {
  const history = createDurationHistory();
  for (let i = 0; i < 20; i++) recordRun(history, run('15_arm64', 'llvm-19', 300));
  for (let i = 0; i < 5; i++) recordRun(history, run('15_arm64', 'llvm-19', 100));
  assert.equal(Math.round((estimateBuild(history, '15_arm64', 'llvm-19', 50)?.median ?? 0) / MIN), 100);
});

test('never built on the platform: its builds elsewhere, scaled by how much faster that platform is', () => {
  const history = createDurationHistory();
  // Ports built on both: 15_arm64 takes half the time of 10.6_i386.
  for (const [port, minutes] of [['a', 10], ['b', 30], ['c', 8], ['d', 20], ['e', 12]] as const) {
    recordRun(history, run('10.6_i386', port, minutes * 2));
    recordRun(history, run('15_arm64', port, minutes));
  }
  recordRun(history, run('10.6_i386', 'gcc14', 400));
  const estimate = estimateBuild(history, '15_arm64', 'gcc14', 200);
  assert.equal(estimate?.source, 'port-elsewhere');
  assert.equal(Math.round(estimate.median / MIN), 200);
  // The other way round it doubles.
  recordRun(history, run('15_arm64', 'rust', 60));
  assert.equal(Math.round((estimateBuild(history, '10.6_i386', 'rust', 200)?.median ?? 0) / MIN), 120);
});

test('never built anywhere: ports with a dependency closure of similar size, then every build on the platform', () => {
  const history = createDurationHistory();
  for (let i = 0; i < 6; i++) recordRun(history, run('15_arm64', `small${String(i)}`, 5, 1));
  for (let i = 0; i < 6; i++) recordRun(history, run('15_arm64', `big${String(i)}`, 120, 300));
  const big = estimateBuild(history, '15_arm64', 'newbig', 280);
  assert.equal(big?.source, 'similar-size');
  assert.equal(Math.round(big.median / MIN), 120);
  const small = estimateBuild(history, '15_arm64', 'newsmall', 1);
  assert.equal(Math.round((small?.median ?? 0) / MIN), 5);
  const unsized = estimateBuild(history, '15_arm64', 'notinthegraph', null);
  assert.equal(unsized?.source, 'platform');
  // The spread of the platform's builds (5 min and 2 h) is in the estimate: its range is wide.
  assert.ok(unsized.sigma > 1, String(unsized.sigma));
});

test('nothing seen on the platform and the port never built: unknown, not a guess', () => {
  const history = createDurationHistory();
  assert.equal(estimateBuild(history, '15_arm64', 'curl', 3), undefined);
  assert.equal(estimateWatcher(history, '15_arm64'), undefined);
  recordRun(history, run('14_x86_64', 'zlib', 3));
  assert.equal(estimateBuild(history, '15_arm64', 'curl', 3), undefined, 'another platform’s other ports say nothing of this one');
  recordRun(history, run('15_arm64', null, 4, null));
  assert.equal(Math.round((estimateWatcher(history, '15_arm64')?.median ?? 0) / MIN), 4);
  assert.equal(estimateBuild(history, '15_arm64', 'curl', 3), undefined, 'a watcher is no build');
});

test('the per-build spread is measured from ports built more than once; runs of no length are ignored', () => {
  const history = createDurationHistory();
  assert.equal(perBuildSpread(history), 0.25);
  for (let i = 0; i < 30; i++) {
    recordRun(history, run('15_arm64', `p${String(i)}`, 10));
    recordRun(history, run('15_arm64', `p${String(i)}`, 10 * Math.exp(i % 2 === 0 ? 1 : -1)));
  }
  assert.ok(perBuildSpread(history) > 0.6, String(perBuildSpread(history)));
  recordRun(history, { platform: '15_arm64', port: 'zero', durationMs: 0, closureSize: 1 });
  recordRun(history, { platform: '15_arm64', port: 'nan', durationMs: Number.NaN, closureSize: 1 });
  assert.equal(estimateBuild(history, '15_arm64', 'zero', null)?.source, 'platform');
  assert.equal(estimateBuild(history, '15_arm64', 'nan', null)?.source, 'platform');
});
