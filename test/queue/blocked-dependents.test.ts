import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeBlocked } from '../../controller/queue/core/describe-blocked.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { createPlatformQueue, type PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { POLICIES } from '../../controller/queue/core/queue-policy.ts';
import { requeueLost } from '../../controller/queue/core/requeue-lost.ts';
import { previewNext, selectNext } from '../../controller/queue/core/select-next.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { commit, counterContext, drain, SMALL_GRAPH } from './queue-helpers.ts';

function lanesQueue(lanes = 2): PlatformQueue {
  return createPlatformQueue('15_arm64', POLICIES.portfarm, SMALL_GRAPH, lanes);
}

function run(queue: PlatformQueue, entry: QueueEntry, result: 'success' | 'failure'): void {
  markDispatching(queue, entry, 0);
  markStarted(entry, 0);
  markFinished(queue, entry, result, 0);
}

function next(queue: PlatformQueue): QueueEntry {
  const entry = selectNext(queue);
  assert.ok(entry !== null, 'expected a build to dispatch');
  return entry;
}

test('a failed port blocks every pending dependent: no dispatch, and the wait names the port and its revision', () => {
  const queue = lanesQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'openssl', 'curl', 'git', 'leaf']);
  run(queue, next(queue), 'success'); // zlib
  const openssl = next(queue);
  assert.equal(openssl.port, 'openssl');
  run(queue, openssl, 'failure');
  assert.deepEqual(describeBlocked(queue), { total: 2, byPort: [{ port: 'openssl', portsRevision: 'aaaaaaa', count: 2 }] });
  assert.deepEqual(drain(queue, ctx), ['leaf@aaaaaaa'], 'curl and git are held, not doomed');
  assert.deepEqual(previewNext(queue, 5), [], 'the preview shows no blocked build either');
});

test('blocked ports are released when the failed port builds at a newer revision, and then go in dependency order', () => {
  const queue = lanesQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'git']);
  run(queue, next(queue), 'failure'); // curl
  assert.equal(describeBlocked(queue).total, 1);
  commit(queue, ctx, 'bbbbbbb', ['curl']);
  assert.deepEqual(drain(queue, ctx), ['curl@bbbbbbb', 'git@aaaaaaa']);
  assert.equal(queue.failed.size, 0);
  assert.equal(describeBlocked(queue).total, 0);
});

test('a port listed after its dependency failed is blocked as soon as it is queued', () => {
  const queue = lanesQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['openssl']);
  run(queue, next(queue), 'failure');
  commit(queue, ctx, 'bbbbbbb', ['git', 'leaf']);
  assert.deepEqual(describeBlocked(queue).byPort, [{ port: 'openssl', portsRevision: 'aaaaaaa', count: 1 }]);
  assert.deepEqual(drain(queue, ctx), ['leaf@bbbbbbb']);
});

test('a superseded blocked port stays one pending build, still blocked while its dependency has not built', () => {
  const queue = lanesQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'git']);
  run(queue, next(queue), 'failure');
  commit(queue, ctx, 'bbbbbbb', ['git']);
  assert.equal(describeBlocked(queue).total, 1);
  assert.equal(queue.pendingByPort.size, 1);
  assert.deepEqual(drain(queue, ctx), []);
});

test('a run lost with its runner says nothing about the port: its dependents are not blocked', () => {
  const queue = lanesQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'git']);
  const curl = next(queue);
  markDispatching(queue, curl, 0);
  requeueLost(queue, curl, 'failure', ctx);
  assert.equal(queue.failed.size, 0);
  assert.deepEqual(drain(queue, ctx), ['curl@aaaaaaa', 'git@aaaaaaa']);
});

test('without dependency safety (legacy) a dependent of a failed port still runs: the doomed build the simulator counts', () => {
  const queue = createPlatformQueue('15_arm64', POLICIES.legacy, SMALL_GRAPH);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'git']);
  run(queue, next(queue), 'failure');
  assert.equal(next(queue).port, 'git');
});

test('the failure outlives a restart: the reloaded service still holds the dependents', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-blocked-'));
  const signal = new AbortController().signal;
  try {
    const db = openStore(join(dir, 'state.sqlite'));
    const gateway = new FakeRunGateway();
    const options = { db, platforms: ['15_arm64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' };
    const service = new ReorderService(options);
    const at = (s: number): Date => new Date(1000 * s);
    const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa', changedPorts: null, force: false, prNumber: null, now: at(0) });
    await service.pump(at(1), signal);
    service.acceptPortList({ buildId, platform: '15_arm64', portsRevision: 'aaaaaaa', ports: ['curl', 'git'], excluded: [] }, at(2));
    service.runFinished(buildId, 'success', at(3));
    const [curl] = (await service.pump(at(4), signal)).dispatched;
    assert.ok(curl !== undefined);
    service.runFinished(curl, 'failure', at(5));
    const again = new ReorderService(options);
    assert.deepEqual((await again.pump(at(6), signal)).dispatched, [], 'git stays blocked by curl after the restart');
    assert.deepEqual(again.blocked()[0]?.blocked, { total: 1, byPort: [{ port: 'curl', portsRevision: 'aaaaaaa', count: 1 }] });
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
