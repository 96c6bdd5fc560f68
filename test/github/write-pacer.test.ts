import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNotProcessed } from '../../controller/github/github-error.ts';
import { checkWriteLimits, GITHUB_WRITE_LIMITS, writeDelay, type SentWrite, type WriteLimits } from '../../controller/github/write-limits.ts';
import { WritePacer } from '../../controller/github/write-pacer.ts';
import { manualClock } from './manual-clock.ts';

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;
const dispatch = { writeClass: 'dispatch', method: 'POST', endpoint: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches' } as const;
const checkCreate = { writeClass: 'other', method: 'POST', endpoint: 'POST /repos/{owner}/{repo}/check-runs' } as const;
const checkUpdate = { writeClass: 'other', method: 'PATCH', endpoint: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}' } as const;
const sent = (n: number, write: Omit<SentWrite, 'at'>, everyMs: number): SentWrite[] => Array.from({ length: n }, (_, i) => ({ ...write, at: NOW - (n - i) * everyMs }));

test('a burst of dispatches goes at once: nothing waits until GitHub\'s content limit (with its margin) is reached', () => {
  assert.equal(writeDelay(dispatch, sent(71, dispatch, 10), NOW, GITHUB_WRITE_LIMITS), 0);
  // The 73rd in a minute waits until the oldest of the 72 leaves the minute (72 × 10 ms ago + 60 s).
  assert.equal(writeDelay(dispatch, sent(72, dispatch, 10), NOW, GITHUB_WRITE_LIMITS), MINUTE - 720);
});

test('other writes leave dispatch its share: check creates stop at 40 of their own a minute and 250 an hour, and at the whole', () => {
  assert.equal(writeDelay(checkCreate, sent(39, checkCreate, 100), NOW, GITHUB_WRITE_LIMITS), 0);
  assert.equal(writeDelay(checkCreate, sent(40, checkCreate, 100), NOW, GITHUB_WRITE_LIMITS), MINUTE - 4000);
  assert.equal(writeDelay(dispatch, sent(40, checkCreate, 100), NOW, GITHUB_WRITE_LIMITS), 0, 'the dispatch still goes');
  // Dispatches do not eat the other writes' share, only the whole: 71 dispatches leave room for one check create.
  assert.equal(writeDelay(checkCreate, sent(71, dispatch, 100), NOW, GITHUB_WRITE_LIMITS), 0);
  assert.equal(writeDelay(checkCreate, sent(72, dispatch, 100), NOW, GITHUB_WRITE_LIMITS), MINUTE - 7200);
  // 250 an hour: one every 14 s; the oldest leaves the hour 3,600 - 3,500 = 100 s from now.
  assert.equal(writeDelay(checkCreate, sent(250, checkCreate, 14_000), NOW, GITHUB_WRITE_LIMITS), 100_000);
  assert.equal(writeDelay(dispatch, sent(449, dispatch, 8000), NOW, GITHUB_WRITE_LIMITS), 0);
  assert.equal(writeDelay(dispatch, sent(450, dispatch, 8000), NOW, GITHUB_WRITE_LIMITS), 3_600_000 - 450 * 8000);
});

test('updates are not content: held only by their endpoint\'s 900 points a minute (162 writes with the margin)', () => {
  assert.equal(writeDelay(checkUpdate, sent(100, checkCreate, 10), NOW, GITHUB_WRITE_LIMITS), 0);
  assert.equal(writeDelay(checkUpdate, sent(161, checkUpdate, 10), NOW, GITHUB_WRITE_LIMITS), 0);
  assert.equal(writeDelay(checkUpdate, sent(162, checkUpdate, 10), NOW, GITHUB_WRITE_LIMITS), MINUTE - 1620);
});

test('limits that leave dispatch nothing, or are not whole numbers, are refused naming the value', () => {
  assert.throws(() => checkWriteLimits({ ...GITHUB_WRITE_LIMITS, otherContentPerMinute: 72 }), /other writes' share \(72\/min, 250\/h\) must be below the whole \(72\/min, 450\/h\)/);
  assert.throws(() => checkWriteLimits({ ...GITHUB_WRITE_LIMITS, contentPerHour: 0.5 }), /write limit contentPerHour 0.5 must be a whole number of at least 1/);
});

test('the pacer lets 20 dispatches through at once, and holds a stream under 72 a minute and 450 an hour', async () => {
  const clock = manualClock(NOW);
  const pacer = new WritePacer({ clock, maxDispatchWaitMs: 3_600_000 });
  await Promise.all(Array.from({ length: 20 }, () => pacer.acquire(dispatch)));
  assert.deepEqual(pacer.sent.map((s) => s.at - NOW), Array.from({ length: 20 }, () => 0));
  assert.equal(clock.now(), NOW, 'no dispatch waited');
  // A sustained stream of 500 more, one after another: each let through as soon as the windows allow.
  const progress = { done: false };
  // The pacer keeps only the last hour: when each went is taken here.
  const times = pacer.sent.map((s) => s.at);
  const stream = (async () => {
    for (let i = 0; i < 500; i += 1) {
      await pacer.acquire({ ...dispatch, endpoint: `POST /repos/o/r/actions/runs/{run_id}/cancel` });
      times.push(clock.now());
    }
  })().finally(() => { progress.done = true; });
  for (let i = 0; i < 200 && !progress.done; i += 1) await clock.advance(MINUTE);
  await stream;
  assert.equal(times.length, 520);
  // 72 a minute for the first 450, then the 451st waits for the hour's first write to leave it.
  assert.deepEqual([times[71], times[72], times[449], times[450]].map((t) => (t ?? 0) - NOW), [0, MINUTE, 6 * MINUTE, 3_600_000]);
  for (const t of times) {
    assert.ok(times.filter((u) => u > t - MINUTE && u <= t).length <= 72, `at most 72 in the minute up to ${t - NOW}`);
    assert.ok(times.filter((u) => u > t - 3_600_000 && u <= t).length <= 450, `at most 450 in the hour up to ${t - NOW}`);
  }
});

test('a dispatch that would wait past its limit fails unsent with the reason, and the round is told to hold', async () => {
  const clock = manualClock(NOW);
  const limits: WriteLimits = { contentPerMinute: 3, contentPerHour: 100, otherContentPerMinute: 2, otherContentPerHour: 50, writesPerMinutePerEndpoint: 100 };
  const pacer = new WritePacer({ clock, limits, maxDispatchWaitMs: 5000 });
  for (let i = 0; i < 3; i += 1) await pacer.acquire(dispatch);
  assert.equal(pacer.dispatchHeldFor(clock.now()), MINUTE);
  await assert.rejects(pacer.acquire(dispatch), /not sent: POST \/repos\/\{owner\}\/\{repo\}\/actions\/workflows\/\{workflow_id\}\/dispatches would wait 60 s for GitHub's secondary limits on writes \(3 content-creating a minute, 100 an hour\)/);
  // Never sent, so no run exists: the build is queued again at once rather than reconciled.
  await assert.rejects(pacer.acquire(dispatch), (error: unknown) => isNotProcessed(error));
  await clock.advance(MINUTE - 4000);
  assert.equal(pacer.dispatchHeldFor(clock.now()), 0, 'a 4 s wait is taken inline');
  const late = pacer.acquire(dispatch);
  await clock.advance(4000);
  await late;
  assert.equal(pacer.sent.at(-1)?.at, NOW + MINUTE);
});

test('dispatch-class writes go before other writes waiting for the same window', async () => {
  const clock = manualClock(NOW);
  const limits: WriteLimits = { contentPerMinute: 3, contentPerHour: 100, otherContentPerMinute: 2, otherContentPerHour: 50, writesPerMinutePerEndpoint: 100 };
  const pacer = new WritePacer({ clock, limits, maxDispatchWaitMs: 120_000 });
  await pacer.acquire(checkCreate);
  await pacer.acquire(checkCreate);
  await clock.advance(1000);
  const order: string[] = [];
  // The check create asks first (its share is full: 2 of its 2), then a dispatch (2 of 3: it goes), then two more dispatches.
  const check = pacer.acquire(checkCreate).then(() => { order.push('check'); });
  await clock.advance(0);
  const dispatches = [1, 2, 3].map((n) => pacer.acquire(dispatch).then(() => { order.push(`dispatch ${String(n)}`); }));
  await clock.advance(3 * MINUTE);
  await Promise.all([check, ...dispatches]);
  assert.deepEqual(order, ['dispatch 1', 'dispatch 2', 'dispatch 3', 'check']);
  const at = (i: number): number => (pacer.sent[i]?.at ?? 0) - NOW;
  // dispatch 1 at once; 2 and 3 when the writes at 0 leave the minute; the check, which asked first, only after them, when the whole has room.
  assert.deepEqual(pacer.sent.map((s, i) => `${s.writeClass} ${String(at(i))}`), ['other 0', 'other 0', 'dispatch 1000', 'dispatch 60000', 'dispatch 60000', 'other 61000']);
});
