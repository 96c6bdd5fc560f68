import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

const now = new Date(Date.UTC(2026, 7, 1, 12, 0));
const signal = new AbortController().signal;

test('a change the database refuses leaves the live queue as the database has it: nothing half-applied is dispatched', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'wf' });
  // The disk refuses the write (full, read-only): the transaction rolls back.
  db.exec("create trigger refuse before insert on queue_entry begin select raise(abort, 'disk full'); end");
  assert.throws(() => service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now }), /disk full/);
  assert.deepEqual(service.queueStatus(now).map((q) => q.pending.watchers), [0]);
  assert.deepEqual((await service.pump(now, signal)).dispatched, [], 'the watcher the database never took is not dispatched');
  assert.deepEqual(gateway.calls, []);
  db.exec('drop trigger refuse');
  assert.equal(service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now }).coalesced, false);
  assert.equal((await service.pump(now, signal)).dispatched.length, 1);
});
