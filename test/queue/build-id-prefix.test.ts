import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

const now = new Date(Date.UTC(2026, 7, 1, 12, 0));
const watcher = { platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now };

function serviceOn(db = openStore(':memory:'), idPrefix?: string): ReorderService {
  return new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: null, ...(idPrefix === undefined ? {} : { idPrefix }) });
}

test('a prefix that is not 1-8 of a-z0-9 is refused with the prefix, and nothing is stored', () => {
  for (const bad of ['Tst', 'a-b', 'abcdefghi', 'x y']) {
    const db = openStore(':memory:');
    assert.throws(() => serviceOn(db, bad), (error: Error) => error.message.includes(JSON.stringify(bad)) && /must be 1-8 of a-z0-9/.test(error.message), bad);
    assert.deepEqual(db.prepare("select value from meta where key = 'id_prefix'").all(), [], bad);
  }
});

test('without a configured prefix a farm draws four base-36 characters, zero-padded, and keeps them across restarts', (t) => {
  // 0.0001 × 36⁴ = 167 = "4n" in base 36: padded to "004n".
  t.mock.method(Math, 'random', () => 0.0001);
  const db = openStore(':memory:');
  assert.equal(serviceOn(db).enqueueWatcher(watcher).buildId, '004n-1');
  t.mock.restoreAll();
  serviceOn(db);
  assert.deepEqual(db.prepare("select value from meta where key = 'id_prefix'").all().map((r) => r.value), ['004n']);
});

test('two farms without a configured prefix draw different ones', () => {
  // Build ids name GitHub runs and runner labels: two farms on one repository must not share them.
  const prefixes = new Set(Array.from({ length: 5 }, () => serviceOn().enqueueWatcher(watcher).buildId.split('-')[0]));
  assert.ok(prefixes.size > 1, `five farms drew ${[...prefixes].join(', ')}`);
  for (const prefix of prefixes) assert.match(prefix ?? '', /^[a-z0-9]{4}$/);
});
