import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DurationModel } from '../../controller/sim/duration-model.ts';
import { varyBuildDurations } from '../../controller/sim/vary-build-durations.ts';

const typical: DurationModel = { build: () => 600_000, watcher: (listed) => 180_000 + listed };

test('each build of a port takes its own time around the typical one (log-normal, median 1, sigma 0.25); watchers do not vary', () => {
  const model = varyBuildDurations(typical, 7);
  const logs = Array.from({ length: 4000 }, () => Math.log(model.build('curl') / 600_000));
  assert.notEqual(logs[0], logs[1]);
  const sorted = [...logs].sort((a, b) => a - b);
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / logs.length);
  assert.ok(Math.abs(sorted[2000] ?? 1) < 0.02, `median log ${String(sorted[2000])}`);
  assert.ok(Math.abs(sd - 0.25) < 0.02, `sd ${String(sd)}`);
  assert.equal(model.watcher(5), 180_005);
});

test('the same seed replays the same durations; another seed does not', () => {
  const a = varyBuildDurations(typical, 1);
  const b = varyBuildDurations(typical, 1);
  const c = varyBuildDurations(typical, 2);
  const run = (m: DurationModel) => ['a', 'b', 'a'].map((p) => m.build(p));
  assert.deepEqual(run(a), run(b));
  assert.notDeepEqual(run(varyBuildDurations(typical, 1)), run(c));
});
