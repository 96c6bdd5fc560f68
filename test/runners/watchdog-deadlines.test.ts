import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DEADLINES, DEFAULT_RETRY, deadlineOf, findOverdueLeases, nextRetryDelayMs } from '../../controller/runners/watchdog-deadlines.ts';

test('each watched phase has its own deadline; a lease is overdue from the deadline on', () => {
  const t0 = 1_000_000;
  const leases = [
    { key: 'clone', phase: 'cloning', since: t0 },
    { key: 'boot', phase: 'booting', since: t0 },
    { key: 'online', phase: 'starting-runner', since: t0 },
    { key: 'taken', phase: 'runner-online', since: t0 },
    { key: 'warm', phase: 'warm', since: t0 },
  ] as const;
  assert.deepEqual(findOverdueLeases(leases, t0 + 179_999, DEFAULT_DEADLINES), [{ key: 'clone', reason: 'clone-too-slow', overdueMs: 59_999 }]);
  assert.deepEqual(
    findOverdueLeases(leases, t0 + 600_000, DEFAULT_DEADLINES).map((o) => `${o.key}:${o.reason}:${o.overdueMs}`),
    ['clone:clone-too-slow:480000', 'boot:vm-not-booting:300000', 'online:runner-not-online:420000', 'taken:job-not-taken:0'],
  );
  assert.equal(deadlineOf(leases[4], DEFAULT_DEADLINES), t0 + 1_800_000);
});

test('retries back off exponentially up to the cap and stop after maxAttempts or a permanent failure', () => {
  const policy = { ...DEFAULT_RETRY, maxAttempts: 5 };
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => nextRetryDelayMs(a, true, policy)), [5_000, 10_000, 20_000, 40_000, undefined]);
  assert.equal(nextRetryDelayMs(1, false, policy), undefined);
  assert.equal(nextRetryDelayMs(5, true, { ...policy, maxAttempts: 9 }), 60_000);
});
