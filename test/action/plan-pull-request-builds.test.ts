import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPullRequestBuilds, portSlice } from '../../action/src/plan-pull-request-builds.ts';

test('a PR whose port × platform pairs fit one matrix gets a job per pair; a larger one as many chunks per platform as fit 256 jobs', () => {
  assert.deepEqual(planPullRequestBuilds(128, 2), { perPort: true, chunks: 0 });
  assert.deepEqual(planPullRequestBuilds(129, 2), { perPort: false, chunks: 128 });
  assert.deepEqual(planPullRequestBuilds(300, 3), { perPort: false, chunks: 85 });
  assert.deepEqual(planPullRequestBuilds(41_548, 20), { perPort: false, chunks: 12 });
  assert.deepEqual(planPullRequestBuilds(0, 2), { perPort: true, chunks: 0 });
  assert.throws(() => planPullRequestBuilds(10, 0), /PORTFARM_PR_PLATFORMS must list at least one/);
  assert.throws(() => planPullRequestBuilds(10, 300), /one matrix holds 256 jobs; list fewer in PORTFARM_PR_PLATFORMS/);
});

test('the chunks are contiguous slices in list order, together every port exactly once', () => {
  const ports = Array.from({ length: 300 }, (_, i) => `port${i}`);
  const slices = Array.from({ length: 128 }, (_, chunk) => portSlice(ports, chunk, 128));
  assert.deepEqual(slices.flat(), ports);
  assert.deepEqual(new Set(slices.map((s) => s.length)), new Set([2, 3]));
  assert.throws(() => portSlice(ports, 128, 128), /chunk must be a whole number from 0 to 127, not 128/);
  assert.throws(() => portSlice(ports, 0, 0), /chunks must be a whole number of at least 1, not 0/);
});
