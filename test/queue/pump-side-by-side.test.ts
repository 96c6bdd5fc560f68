import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GitHubError } from '../../controller/github/github-error.ts';
import type { DispatchRequest } from '../../controller/queue/run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { retryCount } from '../../controller/queue/retry-counts.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { setMeta } from '../../controller/store/sql/set-meta.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

const at = new Date(Date.UTC(2026, 11, 3, 23, 50));
const signal = new AbortController().signal;
const PLATFORMS = ['15_arm64', '14_x86_64', '13_x86_64'];

/** GitHub answering each dispatch only when the test lets it (`answer`), so the test sees what was asked at once. */
class HeldGateway extends FakeRunGateway {
  readonly held: { request: DispatchRequest; answer: () => void; refuse: (error: Error) => void }[] = [];
  override dispatch(request: DispatchRequest, s: AbortSignal): Promise<{ readonly runId: number }> {
    return new Promise((resolve, reject) => {
      this.held.push({ request, answer: () => { super.dispatch(request, s).then(resolve, reject); }, refuse: reject });
    });
  }
}

function serviceWithWatchers(gateway: FakeRunGateway): ReorderService {
  const reorder = new ReorderService({ db: openStore(':memory:'), platforms: PLATFORMS, gateway, graph: null, idPrefix: 'p' });
  for (const platform of PLATFORMS) reorder.enqueueWatcher({ platform, portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
  return reorder;
}

test('a round asks GitHub for every platform\'s dispatch at once, not one answer after another, and returns once all are answered', async () => {
  const gateway = new HeldGateway();
  const reorder = serviceWithWatchers(gateway);
  let returned = false;
  const pumped = reorder.pump(at, signal).then((r) => { returned = true; return r; });
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  assert.deepEqual(gateway.held.map((h) => h.request.platform).sort(), [...PLATFORMS].sort(), 'all three asked before any answer');
  for (const h of gateway.held.slice(0, 2)) h.answer();
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  assert.equal(returned, false, 'the round waits for the last platform');
  gateway.held[2]?.answer();
  const report = await pumped;
  assert.deepEqual([...report.dispatched].sort(), ['p-1', 'p-2', 'p-3']);
  assert.deepEqual(reorder.inFlight().map((e) => e.runId === null), [false, false, false]);
});

/** GitHub refusing 15_arm64's dispatches for a secondary rate limit (a refused request is not processed). */
class RateLimitedGateway extends FakeRunGateway {
  limited = true;
  override dispatch(request: DispatchRequest, s: AbortSignal): Promise<{ readonly runId: number }> {
    if (request.platform !== '15_arm64' || !this.limited) return super.dispatch(request, s);
    this.calls.push(`dispatch ${request.buildId}`);
    return Promise.reject(new GitHubError('dispatching: GitHub answered 403: You have exceeded a secondary rate limit', { status: 403, method: 'POST', url: '/dispatches', retryable: true, notProcessed: true }));
  }
}

test('a dispatch refused for a rate limit: its build waits at the head under a new id with its retry counts, the other platforms dispatch, and no run is looked for', async () => {
  const db = openStore(':memory:');
  const gateway = new RateLimitedGateway();
  const reorder = new ReorderService({ db, platforms: PLATFORMS, gateway, graph: null, idPrefix: 'p', parallelBuilds: new Map([['15_arm64', 2]]) });
  for (const platform of PLATFORMS) reorder.enqueueWatcher({ platform, portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
  reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['zlib'], force: false, prNumber: 7, now: at });
  setMeta(db, 'lost-retries:p-1', '2');
  const report = await reorder.pump(at, signal);
  assert.deepEqual([...report.dispatched].sort(), ['p-2', 'p-3']);
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.deferred.map((d) => [d.buildId, d.requeuedAs]), [['p-1', 'p-5']]);
  // The limit holds for every request: 15_arm64's second lane did not try within the round.
  assert.deepEqual(gateway.calls.filter((c) => c.startsWith('dispatch')).sort(), ['dispatch p-1', 'dispatch p-2', 'dispatch p-3']);
  assert.ok(!gateway.calls.includes('listRuns'));
  const arm = reorder.queueStatus(at).find((q) => q.platform === '15_arm64');
  assert.deepEqual(arm?.next.map((e) => [e.buildId, e.state]), [['p-5', 'pending'], ['p-4', 'pending']]);
  assert.deepEqual([retryCount(db, 'lost', 'p-5'), retryCount(db, 'lost', 'p-1')], [2, 0]);
  assert.deepEqual({ ...db.prepare("select state, result from queue_entry where build_id = 'p-1'").get() }, { state: 'finished', result: 'cancelled' });
});

test('reconcile queues an intent GitHub has no run for again with its retry counts, not leaving them behind under the old id', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'q' });
  reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
  setMeta(db, 'cancel-retries:q-1', '1');
  gateway.failNextDispatch = 'before';
  const pumped = await reorder.pump(at, signal);
  assert.deepEqual(pumped.errors.map((e) => e.buildId), ['q-1']);
  const report = await reorder.reconcile(at, signal);
  assert.deepEqual(report.requeued, [{ buildId: 'q-1', requeuedAs: 'q-2' }]);
  assert.deepEqual([retryCount(db, 'cancel', 'q-2'), retryCount(db, 'cancel', 'q-1')], [1, 0]);
});

test('a builder\'s dispatch refused for a rate limit says which port on which platform waits, and under which new id', async () => {
  const gateway = new RateLimitedGateway();
  const reorder = new ReorderService({ db: openStore(':memory:'), platforms: ['14_x86_64', '15_arm64'], gateway, graph: null, idPrefix: 'b' });
  const { buildId } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
  const first = await reorder.pump(at, signal);
  assert.deepEqual(first.deferred.map((d) => d.buildId), [buildId]);
  const watcher = first.deferred[0]?.requeuedAs ?? '';
  gateway.limited = false;
  assert.deepEqual((await reorder.pump(at, signal)).dispatched, [watcher]);
  reorder.acceptPortList({ buildId: watcher, platform: '15_arm64', portsRevision: 'aaaaaaa1', ports: ['curl'], excluded: [] }, at);
  reorder.runFinished(watcher, 'success', at);
  gateway.limited = true;
  const report = await reorder.pump(at, signal);
  const [held] = report.deferred;
  assert.ok(held !== undefined);
  assert.equal(held.error.message, `GitHub did not take the dispatch of ${held.buildId} (builder curl on 15_arm64): dispatching: GitHub answered 403: You have exceeded a secondary rate limit; queued again as ${held.requeuedAs}`);
});

test('a refused dispatch whose port a newer pending build covers: that build stands for it, and the refused one\'s retry counts go with it, not onto the newer build', async () => {
  const db = openStore(':memory:');
  const gateway = new HeldGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'c' });
  const { buildId: first } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
  const round = reorder.pump(at, signal);
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  gateway.held.shift()?.answer();
  await round;
  reorder.acceptPortList({ buildId: first, platform: '15_arm64', portsRevision: 'aaaaaaa1', ports: ['curl'], excluded: [] }, at);
  reorder.runFinished(first, 'success', at);
  // The curl builder goes out; while GitHub has not answered, a newer push's list queues curl again.
  const curlRound = reorder.pump(at, signal);
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  const curl = gateway.held.shift();
  assert.equal(curl?.request.port, 'curl');
  const { buildId: second } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'bbbbbbb2', changedPorts: ['curl'], force: false, prNumber: null, now: at });
  setMeta(db, `lost-retries:${curl.request.buildId}`, '1');
  reorder.acceptPortList({ buildId: second, platform: '15_arm64', portsRevision: 'bbbbbbb2', ports: ['curl'], excluded: [] }, at);
  const newer = reorder.queueStatus(at)[0]?.next.find((e) => e.port === 'curl')?.buildId ?? '';
  assert.notEqual(newer, '');
  // GitHub refuses it for a rate limit.
  curl.refuse(new GitHubError('GitHub answered 429: You have exceeded a secondary rate limit', { status: 429, method: 'POST', url: '/dispatches', retryable: true, notProcessed: true }));
  const report = await curlRound;
  assert.deepEqual(report.deferred.map((d) => [d.buildId, d.requeuedAs]), [[curl.request.buildId, newer]]);
  assert.deepEqual([retryCount(db, 'lost', curl.request.buildId), retryCount(db, 'lost', newer)], [0, 0]);
  assert.equal(reorder.queueStatus(at)[0]?.next.filter((e) => e.port === 'curl').length, 1, 'curl is pending once');
});
