import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOnPush } from '../../controller/flows/on-push.ts';
import type { WatcherRequest } from '../../controller/github/farm-events.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { captureLog } from '../github/capture-log.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { at } from './dispatched-builder.ts';

const signal = new AbortController().signal;
const push = (deliveryId: string, portsRevision: string, previousRevision: string): WatcherRequest => ({
  deliveryId, kind: 'watcher', platform: '15_arm64', portsRevision, previousRevision, changedPorts: ['curl'], prNumber: null, receivedAt: at(1),
});

test('a push queues one watcher (a second push coalesces into it), logged with its delivery, and asks for a round each time', async () => {
  const db = openStore(':memory:');
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: null, idPrefix: 'ps' });
  const { log, entries } = captureLog();
  let kicks = 0;
  const onPush = createOnPush({ reorder, kick: () => { kicks += 1; }, log });
  await onPush(push('d-1', 'aaaaaaa1', 'aaaaaaa0'), signal);
  await onPush(push('d-2', 'bbbbbbb2', 'aaaaaaa1'), signal);
  assert.equal(kicks, 2);
  assert.deepEqual(entries.map((e) => [e.msg, e.deliveryId, e.buildId, e.coalesced]), [
    ['watcher queued', 'd-1', 'ps-1', false],
    ['watcher queued', 'd-2', 'ps-1', true],
  ]);
  assert.equal(db.prepare("select count(*) as n from queue_entry where kind = 'watcher'").get()?.n, 1);
  db.close();
});
