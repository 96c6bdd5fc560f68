import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { createWebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import { RecordingFarm } from './recording-farm.ts';
import { CRASH_CONTEXT, CRASH_SECRET } from './webhook-crash-push.ts';

const CHILD = join(import.meta.dirname, 'webhook-crash-child.ts');

/**
 * A kill -9 at the webhook's two crash points (the whole-farm replay in test/e2e reaches them
 * too, slowly): a delivery stored but not answered, or worked (its watchers asked for) but not
 * marked processed. Either way the delivery is not lost: after a restart on the same database it
 * is worked (again: the farm's flows take a delivery twice as once) and then marked processed.
 */
for (const point of ['webhook-claimed', 'delivery-worked'] as const) {
  test(`a kill -9 at ${point}: the push is kept, and worked after the restart`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-webhook-crash-'));
    try {
      const child = spawnSync(process.execPath, [CHILD, dir], { env: { ...process.env, PORTFARM_CRASH_AT: point }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(child.signal, 'SIGKILL', `the child passed ${point} without dying: ${child.stdout}${child.stderr}`);
      assert.match(child.stdout, new RegExp(`"crashPoint":"${point}"`));
      const before = existsSync(join(dir, 'farm.ndjson')) ? readFileSync(join(dir, 'farm.ndjson'), 'utf8').trim().split('\n') : [];
      // Claimed and not answered: the farm heard nothing. Worked: both platforms' watchers were asked for.
      assert.equal(before.length, point === 'webhook-claimed' ? 0 : 2, before.join('\n'));

      const store = new SqliteDeliveryStore(join(dir, 'deliveries.db'));
      assert.deepEqual(store.unprocessed().map((d) => [d.guid, d.event]), [['d-crash', 'push']]);
      const farm = new RecordingFarm();
      const handler = createWebhookHandler({ secret: CRASH_SECRET, store, farm, context: CRASH_CONTEXT, log: pino({ level: 'silent' }) });
      assert.equal(handler.resumeUnprocessed(), 1);
      await handler.idle();
      assert.deepEqual(farm.calls.map((c) => [c.method, c.arg.deliveryId, 'platform' in c.arg ? c.arg.platform : '']), [
        ['onPush', 'd-crash', '15_arm64'],
        ['onPush', 'd-crash', '14_x86_64'],
      ]);
      assert.deepEqual(store.unprocessed(), []);
      await handler.close();
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
