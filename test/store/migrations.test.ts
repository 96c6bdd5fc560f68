import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import { migration0001 } from '../../controller/store/migrations/0001-queue.ts';
import { migration0002 } from '../../controller/store/migrations/0002-push-links.ts';
import { MIGRATIONS } from '../../controller/store/migrations/migrations.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

test('a version 1 database moves its delivery notes out of meta; a delivery it worked on stays worked on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-migrate-'));
  try {
    const path = join(dir, 'state.db');
    const v1 = new DatabaseSync(path);
    v1.exec(migration0001);
    v1.exec('pragma user_version = 1');
    v1.prepare('insert into meta (key, value) values (?, ?), (?, ?), (?, ?)').run('id_prefix', 'old', 'id_counter', '7', 'delivery:guid-7:15_arm64', 'old-7');
    v1.close();

    const db = openStore(path);
    assert.equal(db.prepare('pragma user_version').get()?.user_version, MIGRATIONS.length);
    assert.deepEqual(db.prepare('select key, value from meta order by key').all().map((r) => `${String(r.key)}=${String(r.value)}`), ['id_counter=7', 'id_prefix=old']);
    assert.deepEqual(db.prepare('select key, build_id from delivery_note').all().map((r) => `${String(r.key)}=${String(r.build_id)}`), ['guid-7:15_arm64=old-7']);
    const service = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: null });
    const again = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: new Date(), deliveryId: 'guid-7' });
    assert.equal(again.buildId, 'old-7');
    assert.equal(db.prepare('select count(*) as n from queue_entry').get()?.n, 0, 'no second watcher for a delivery worked on before the upgrade');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a version 2 database keeps its webhook deliveries: a failed one waiting for its retry is resumed, a processed one stays claimed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-migrate-'));
  try {
    const path = join(dir, 'state.db');
    const v2 = new DatabaseSync(path);
    v2.exec(migration0001);
    v2.exec(migration0002);
    // The table as SqliteDeliveryStore created it before it moved into the schema.
    v2.exec(`CREATE TABLE github_deliveries (guid TEXT PRIMARY KEY, event TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('received', 'processed', 'failed')), error TEXT, retryable INTEGER NOT NULL DEFAULT 1)`);
    v2.prepare(`insert into github_deliveries (guid, event, body, received_at, state, error, retryable) values (?, 'push', '{}', 1, 'processed', null, 1), (?, 'push', '{}', 2, 'failed', 'locked', 1)`).run('done', 'waiting');
    v2.exec('pragma user_version = 2');
    v2.close();

    const db = openStore(path);
    try {
      assert.equal(db.prepare('pragma user_version').get()?.user_version, MIGRATIONS.length);
      const store = new SqliteDeliveryStore(db);
      assert.equal(store.has('done'), true);
      assert.deepEqual(store.unprocessed().map((d) => [d.guid, d.state, d.attempts]), [['waiting', 'failed', 1]]);
      assert.deepEqual(store.dueForRetry(new Date(0)).map((d) => d.guid), ['waiting'], 'due at once: the old schema had no schedule');
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
