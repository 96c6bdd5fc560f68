import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatchInputs } from '../../controller/github/octokit-run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { SMALL_GRAPH } from './queue-helpers.ts';

const signal = new AbortController().signal;
const at = (minute: number): Date => new Date(Date.UTC(2026, 7, 1, 12, minute));

test('with parallelBuilds 3 one pump dispatches up to 3 runs, each in a lane no run in flight holds, kept across a restart', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const options = { db, platforms: ['15_arm64'], parallelBuilds: new Map([['15_arm64', 3]]), gateway, graph: SMALL_GRAPH, idPrefix: 'tst' };
  const service = new ReorderService(options);
  const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa', changedPorts: null, force: false, prNumber: null, now: at(0) });
  assert.deepEqual((await service.pump(at(1), signal)).dispatched, [buildId], 'nothing else waits');
  service.runStarted(buildId, at(1));
  service.acceptPortList({ buildId, platform: '15_arm64', portsRevision: 'aaaaaaa', ports: ['zlib', 'openssl', 'leaf', 'python', 'py312'], excluded: [] }, at(2));
  const first = await service.pump(at(2), signal);
  assert.equal(first.dispatched.length, 2, 'the watcher holds lane 0; two builders take lanes 1 and 2');
  assert.deepEqual(gateway.runs.map((r) => [r.request.port, r.request.lane]), [[null, 0], ['zlib', 1], ['leaf', 2]]);
  service.runFinished(buildId, 'success', at(3));
  const again = new ReorderService(options);
  const second = await again.pump(at(4), signal);
  assert.deepEqual(gateway.runs.slice(3).map((r) => [r.request.port, r.request.lane]), [['py312', 0]], 'the freed lane 0, not one still held by zlib or leaf');
  assert.equal(second.dispatched.length, 1);
  db.close();
});

test('lane 0 dispatches exactly the inputs of one builder per platform; a higher lane adds the lane input', () => {
  const request = { buildId: 'b-1', platform: '15_arm64', kind: 'builder', port: 'curl', portsRevision: 'abc1234', force: false, portlist: null, prNumber: null } as const;
  assert.deepEqual(Object.keys(dispatchInputs({ ...request, lane: 0 })), ['platform', 'portname', 'ports_sha', 'build_id', 'force', 'portlist']);
  assert.equal(dispatchInputs({ ...request, lane: 2 }).lane, '2');
});

/** A GitHub that refuses the next dispatch outright (a 4xx: no run, the same inputs refused again). */
class RefusingGateway extends FakeRunGateway {
  refuseNext = false;
  override dispatch(...args: Parameters<FakeRunGateway['dispatch']>): ReturnType<FakeRunGateway['dispatch']> {
    if (!this.refuseNext) return super.dispatch(...args);
    this.refuseNext = false;
    this.calls.push(`dispatch ${args[0].buildId}`);
    return Promise.reject(Object.assign(new Error('HTTP 422: unexpected inputs'), { retryable: false }));
  }
}

async function lanesWithList(gateway: FakeRunGateway): Promise<ReorderService> {
  const db = openStore(':memory:');
  const service = new ReorderService({ db, platforms: ['15_arm64'], parallelBuilds: new Map([['15_arm64', 3]]), gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
  const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa', changedPorts: null, force: false, prNumber: null, now: at(0) });
  await service.pump(at(1), signal);
  service.runStarted(buildId, at(1));
  service.acceptPortList({ buildId, platform: '15_arm64', portsRevision: 'aaaaaaa', ports: ['zlib', 'leaf'], excluded: [] }, at(2));
  return service;
}

test('a dispatch whose answer was lost stops the pass on its platform: nothing more goes out until reconcile has looked for that run', async () => {
  const gateway = new FakeRunGateway();
  const service = await lanesWithList(gateway);
  gateway.failNextDispatch = 'after';
  const report = await service.pump(at(2), signal);
  assert.deepEqual(report.dispatched, []);
  assert.equal(report.errors.length, 1);
  assert.equal(gateway.calls.filter((c) => c.startsWith('dispatch ')).length, 2, 'the watcher, then the one builder whose answer was lost');
});

test('a dispatch GitHub refused outright does not stop the pass: the next builder takes the free lane', async () => {
  const gateway = new RefusingGateway();
  const service = await lanesWithList(gateway);
  gateway.refuseNext = true;
  const report = await service.pump(at(2), signal);
  assert.equal(report.errors.length, 1);
  assert.match(report.errors[0]?.error.message ?? '', /GitHub refused to dispatch/);
  assert.equal(report.dispatched.length, 1, 'the other builder went out in the same pass');
});
