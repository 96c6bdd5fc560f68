import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import type { PushSpec } from '../github-double/github-objects.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { startServeHarness } from './serve-harness.ts';

const [REV0, REV1, REV2] = ['0', '1', '2'].map((c) => c.repeat(40)) as [string, string, string];

const push = (before: string, after: string, portfile: string): PushSpec => ({
  ref: 'refs/heads/master',
  before,
  after,
  commits: [{ id: after, message: `update ${portfile}`, timestamp: '2026-11-26T08:00:00Z', added: [], removed: [], modified: [portfile] }],
});

test('serve: a push whose webhook comes after the next push\'s gets its watcher at the newer revision', async () => {
  const h = await startServeHarness();
  try {
    // REV0 → REV1 (curl) → REV2 (wget); the first push's delivery is held and sent last.
    h.double.setWebhookFault('delay', ['push']);
    h.double.push(push(REV0, REV1, 'net/curl/Portfile'));
    h.double.setWebhookFault('deliver');
    h.double.push(push(REV1, REV2, 'net/wget/Portfile'));
    await h.double.deliveriesSettled();
    h.double.releaseDelayedDeliveries();
    await h.double.deliveriesSettled();
    await h.controller.idle();
    await waitFor(() => h.logs.filter((l) => l.msg === 'watcher queued').length === 2, 'both pushes queued');
    const late = h.logs.find((l) => l.msg === 'watcher queued' && l['pushedRevision'] === REV1);
    assert.equal(late?.['portsRevision'], REV2, JSON.stringify(h.logs.filter((l) => l.msg === 'watcher queued')));
    const db = new DatabaseSync(join(h.stateDir, 'portfarm.sqlite'), { readOnly: true });
    try {
      const revisions = db.prepare(`select ports_revision, changed_ports from queue_entry where kind = 'watcher' order by rowid`).all();
      assert.ok(revisions.length >= 1);
      assert.ok(revisions.every((r) => r.ports_revision === REV2), JSON.stringify(revisions));
      const ports = revisions.flatMap((r) => JSON.parse(String(r.changed_ports)) as string[]).sort();
      assert.deepEqual(ports, ['curl', 'wget'], 'no port of either push is lost');
    } finally {
      db.close();
    }
  } finally {
    await h.close();
  }
});
