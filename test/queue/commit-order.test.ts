import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markStarted } from '../../controller/queue/core/mark-run.ts';
import type { QueueContext } from '../../controller/queue/core/queue-context.ts';
import { requeueLost } from '../../controller/queue/core/requeue-lost.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { counterContext, makeQueue } from './queue-helpers.ts';

const [R0, R1, R2] = ['0000aaa0', 'aaaaaaa1', 'bbbbbbb2'] as const;
/** What the pushes received say: R0 → R1 → R2. */
const pushed = new Map<string, string>([[R0, R1], [R1, R2]]);
const knowingOrder = (): QueueContext & { ids: number } => Object.assign(counterContext(), {
  newestRevision: (revision: string): string => {
    let r = revision;
    for (let next = pushed.get(r); next !== undefined; next = pushed.get(r)) r = next;
    return r;
  },
});

test('a watcher whose work was lost after every newer one finished is queued again at the newest revision pushed, not its own', () => {
  const queue = makeQueue();
  const ctx = knowingOrder();
  ctx.ids = 100;
  const { entry: lost } = enqueueWatcher(queue, { portsRevision: R1, changedPorts: ['curl'], force: false, prNumber: null }, counterContext());
  markDispatching(queue, lost, 0);
  markStarted(lost, 0);
  // Nothing newer is open in the queue (the newer watcher ran meanwhile): only the push links know R2.
  const { entry: requeued } = requeueLost(queue, lost, 'failure', ctx);
  assert.notEqual(requeued.buildId, lost.buildId);
  assert.equal(requeued.portsRevision, R2);
  const withoutOrder = makeQueue();
  const { entry: lostAgain } = enqueueWatcher(withoutOrder, { portsRevision: R1, changedPorts: ['curl'], force: false, prNumber: null }, counterContext());
  markDispatching(withoutOrder, lostAgain, 0);
  markStarted(lostAgain, 0);
  const plain = counterContext();
  plain.ids = 100;
  assert.equal(requeueLost(withoutOrder, lostAgain, 'failure', plain).entry.portsRevision, R1, 'without push links the core keeps what it knows');
});

test('an older list never sets a pending builder back; its new builders build the newest revision pushed', () => {
  const queue = makeQueue();
  const ctx = knowingOrder();
  const { entry: newer } = enqueueWatcher(queue, { portsRevision: R2, changedPorts: ['curl'], force: false, prNumber: null }, ctx);
  const { entry: older } = enqueueWatcher(queue, { portsRevision: R1, changedPorts: ['curl', 'zlib'], force: false, prNumber: null }, ctx);
  assert.equal(older, newer, 'coalesced into the pending watcher');
  assert.equal(newer.portsRevision, R2);
  const first = enqueueBuilders(queue, { origin: newer, portsRevision: R2, ports: ['curl'] }, ctx);
  const late = enqueueBuilders(queue, { origin: newer, portsRevision: R1, ports: ['curl', 'zlib'] }, ctx);
  assert.deepEqual(late.coalesced.map((e) => [e.buildId, e.portsRevision]), [[first.added[0]?.buildId, R2]]);
  assert.deepEqual(late.added.map((e) => [e.port, e.portsRevision]), [['zlib', R2]]);
  // PR heads are not on the branch: their revisions are never moved.
  const pr = enqueueWatcher(queue, { portsRevision: R1, changedPorts: null, force: false, prNumber: 7 }, ctx);
  assert.equal(pr.entry.portsRevision, R1);
});

test('reorder service: a list handed over at an older revision queues its builders at the newest revision pushed since', async () => {
  const db = openStore(':memory:');
  const service = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: null, idPrefix: 'co' });
  const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 26, 12, minute));
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: R1, previousRevision: R0, changedPorts: ['curl'], force: false, prNumber: null, now: at(0) });
  await service.pump(at(1), new AbortController().signal);
  service.runStarted('co-1', at(2));
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: R2, previousRevision: R1, changedPorts: ['wget'], force: false, prNumber: null, now: at(3) });
  assert.deepEqual(service.acceptPortList({ buildId: 'co-1', platform: '15_arm64', portsRevision: R1, ports: ['curl'], excluded: [] }, at(4)).added, ['co-3']);
  assert.equal(db.prepare(`select ports_revision from queue_entry where build_id = 'co-3'`).get()?.ports_revision, R2);
  db.close();
});
