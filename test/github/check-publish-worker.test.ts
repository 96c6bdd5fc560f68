import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiClock } from '../../controller/github/api-clock.ts';
import { CheckPublishWorker } from '../../controller/github/check-publish-worker.ts';
import type { FlushResult } from '../../controller/github/check-run-publisher.ts';
import { captureLog } from './capture-log.ts';

const instant: ApiClock = { now: () => Date.now(), sleep: () => new Promise((resolve) => setImmediate(resolve)) };

/** A publisher whose flushes the test holds or fails; `pending` is what it has not sent. */
function fakePublisher() {
  const state = { pendingCount: 0, flushes: 0, failNext: 0, hold: null as Promise<void> | null };
  const publisher = {
    get pendingCount() { return state.pendingCount; },
    async flush(): Promise<FlushResult> {
      state.flushes += 1;
      if (state.hold !== null) await state.hold;
      if (state.failNext > 0) {
        state.failNext -= 1;
        throw new Error('GitHub answered 502');
      }
      const sent = Math.min(2, state.pendingCount);
      state.pendingCount -= sent;
      return { created: sent, updated: 0, apiCalls: sent };
    },
  };
  return { state, publisher };
}

test('a kick returns at once, even while a flush hangs: the round never waits for check runs', async () => {
  const stop = new AbortController();
  const { state, publisher } = fakePublisher();
  let release: () => void = () => undefined;
  state.hold = new Promise((resolve) => { release = resolve; });
  state.pendingCount = 1;
  const worker = new CheckPublishWorker({ flush: () => publisher.flush(), pending: () => publisher.pendingCount, clock: instant, log: captureLog().log, signal: stop.signal });
  worker.kick();
  await new Promise((resolve) => setImmediate(resolve));
  worker.kick();
  assert.equal(state.flushes, 1, 'the hung flush is still the only one');
  release();
  await worker.idle();
  assert.equal(state.pendingCount, 0);
  stop.abort();
  await worker.stopped;
});

test('what one flush left (a batch, a failure) is sent without another kick, after a backoff on failure', async () => {
  const stop = new AbortController();
  const { state, publisher } = fakePublisher();
  const { log, entries } = captureLog();
  state.pendingCount = 5;
  state.failNext = 1;
  const worker = new CheckPublishWorker({ flush: () => publisher.flush(), pending: () => publisher.pendingCount, clock: instant, log, signal: stop.signal });
  worker.kick();
  await worker.idle();
  // One failed flush, then three batches of at most two.
  assert.deepEqual([state.pendingCount, state.flushes], [0, 4]);
  assert.deepEqual(entries.filter((e) => e.level === 'warn').map((e) => [e.msg, e.waitMs, e.pending]), [['check runs not published; kept and tried again', 2000, 5]]);
  stop.abort();
  await worker.stopped;
});

test('stopping ends the worker even while it waits for a kick', async () => {
  const stop = new AbortController();
  const { publisher } = fakePublisher();
  const worker = new CheckPublishWorker({ flush: () => publisher.flush(), pending: () => publisher.pendingCount, clock: instant, log: captureLog().log, signal: stop.signal });
  await worker.idle();
  stop.abort();
  await worker.stopped;
});
