import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PumpReport } from '../../controller/queue/reorder-service.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { createSchedulingRound, type SchedulingRoundOptions } from '../../controller/serve/scheduling-round.ts';
import type { QueueStatus } from '../../controller/status/status-snapshot.ts';
import { captureLog } from '../github/capture-log.ts';

const at = new Date('2026-12-03T10:00:00Z');

/** A round over fakes that journal each call; `report` is what the next pump answers. */
function setup(overrides: Partial<SchedulingRoundOptions> = {}, report: PumpReport = { dispatched: [], preempted: [], deferred: [], errors: [] }) {
  const calls: string[] = [];
  const stats = emptyStats();
  const { log, entries } = captureLog();
  const queue = { platform: '15_arm64', next: [{ buildId: 'b7', state: 'pending' }] } as unknown as QueueStatus;
  const round = createSchedulingRound({
    reorder: { pump: () => { calls.push('pump'); return Promise.resolve(report); }, queueStatus: () => [queue] },
    runners: {
      warmStart: (platform, buildId) => { calls.push(`warm ${platform} ${buildId}`); return true; },
      runRecorded: (buildId) => { calls.push(`run recorded ${buildId}`); return []; },
    },
    checks: { kick: () => { calls.push('kick checks'); } },
    githubPausedFor: () => 0,
    stats,
    ready: Promise.resolve(),
    sweep: () => { calls.push('sweep'); return Promise.resolve(); },
    sweepIntervalMs: 0,
    reconcileAndRecord: () => { calls.push('reconcile'); return Promise.resolve(); },
    paused: false,
    warmStart: true,
    publish: () => { calls.push('publish'); },
    log,
    now: () => at,
    ...overrides,
  });
  return { round, calls, stats, entries };
}

test('a round: dispatch, warm start of each platform\'s next pending build, check updates, a new snapshot', async () => {
  const { round, calls } = setup();
  await round(new AbortController().signal);
  assert.deepEqual(calls, ['pump', 'warm 15_arm64 b7', 'kick checks', 'publish']);
});

test('each build the pump dispatched has its held queued job judged again at once (its queued can beat the dispatch answer)', async () => {
  const { round, calls } = setup({ warmStart: false }, { dispatched: ['b3', 'b4'], preempted: [], deferred: [], errors: [] });
  await round(new AbortController().signal);
  assert.deepEqual(calls, ['pump', 'run recorded b3', 'run recorded b4', 'kick checks', 'publish']);
});

test('paused: nothing dispatched and no VM warmed; checks and status go on', async () => {
  const { round, calls } = setup({ paused: true });
  await round(new AbortController().signal);
  assert.deepEqual(calls, ['kick checks', 'publish']);
});

test('a failed dispatch is counted, logged and reconciled in the same round', async () => {
  const error = new Error('workflow_dispatch answered 502');
  const { round, calls, stats, entries } = setup({ warmStart: false }, { dispatched: [], preempted: [{ buildId: 'b1', requeuedAs: 'b9' }], deferred: [], errors: [{ buildId: 'b2', error }] });
  await round(new AbortController().signal);
  assert.deepEqual(calls, ['pump', 'reconcile', 'kick checks', 'publish']);
  assert.deepEqual([stats.dispatchErrors, stats.preemptions], [1, 1]);
  assert.deepEqual(entries.map((e) => [e.level, e.buildId, e.msg]), [['error', 'b2', 'workflow_dispatch answered 502']]);
});

test('a dispatch GitHub did not take for a rate limit is counted and logged as a warning, with no reconcile (no run exists to look for)', async () => {
  const error = new Error('GitHub did not take the dispatch of b2 (builder zlib on 15_arm64): secondary rate limit; queued again as b8');
  const { round, calls, stats, entries } = setup({ warmStart: false }, { dispatched: ['b1'], preempted: [], deferred: [{ buildId: 'b2', requeuedAs: 'b8', error }], errors: [] });
  await round(new AbortController().signal);
  assert.deepEqual(calls, ['pump', 'run recorded b1', 'kick checks', 'publish']);
  assert.deepEqual([stats.dispatchesDeferred, stats.dispatchErrors], [1, 0]);
  assert.deepEqual(entries.map((e) => [e.level, e.buildId, e.requeuedAs, e.msg]), [['warn', 'b2', 'b8', error.message]]);
});

test('no round acts before the start-up recovery is done; the sweep runs first once it is due', async () => {
  let startedUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { startedUp = resolve; });
  const { round, calls } = setup({ ready, sweepIntervalMs: 1, warmStart: false });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const running = round(new AbortController().signal);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(calls, [], 'the round waits for the start-up');
  startedUp();
  await running;
  assert.deepEqual(calls, ['sweep', 'pump', 'kick checks', 'publish']);
});

test('a round asked to stop while it waits for the start-up ends without acting', async () => {
  const stop = new AbortController();
  const { round, calls } = setup({ ready: new Promise(() => undefined) });
  const running = round(stop.signal);
  stop.abort(new Error('controller stopping'));
  await assert.rejects(running, /controller stopping/);
  assert.deepEqual(calls, []);
});

test('while GitHub asks for a pause nothing is dispatched (it would be refused, and its reconcile too); warm starts, checks and status go on', async () => {
  const { round, calls, entries } = setup({ githubPausedFor: () => 42_000 });
  await round(new AbortController().signal);
  assert.deepEqual(calls, ['warm 15_arm64 b7', 'kick checks', 'publish']);
  assert.deepEqual(entries.map((e) => [e.level, e.waitMs]), [['info', 42_000]]);
});
