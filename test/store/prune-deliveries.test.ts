import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-26T06:00:00Z');

test('webhook deliveries are pruned with the push records: older than 14 days go, younger stay', () => {
  const db = openStore(':memory:');
  try {
    const deliveries = new SqliteDeliveryStore(db);
    const service = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: null, idPrefix: 'tst' });
    for (const [guid, ageDays, state] of [['old-processed', 15, 'processed'], ['old-failed', 20, 'failed'], ['recent', 13, 'processed']] as const) {
      deliveries.claim({ guid, event: 'push', body: '{}', receivedAt: new Date(NOW - ageDays * DAY) });
      if (state === 'processed') deliveries.markProcessed(guid);
      else deliveries.markFailed(guid, { error: 'boom', attempts: 8, retryAt: null, givenUp: true });
    }
    // A push (with the revision before it) records a push link, which prunes what is 14 days old.
    service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'bbbbbbb2', previousRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: new Date(NOW), deliveryId: 'new' });
    assert.deepEqual(['old-processed', 'old-failed', 'recent'].filter((guid) => deliveries.has(guid)), ['recent']);
    assert.equal(db.prepare('select count(*) as n from github_deliveries').get()?.n, 1);
  } finally {
    db.close();
  }
});
