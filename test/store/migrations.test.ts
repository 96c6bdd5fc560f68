import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { migration0001 } from '../../controller/store/migrations/0001-queue.ts';
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
    assert.equal(db.prepare('pragma user_version').get()?.user_version, 2);
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
