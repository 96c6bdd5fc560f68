import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { SMALL_GRAPH } from './queue-helpers.ts';

const CHILD = join(import.meta.dirname, 'preemption-crash-child.ts');
const signal = new AbortController().signal;

/**
 * A kill -9 in the middle of a preemption (the two crash points the whole-farm replay does not
 * reach): the cancel recorded but not sent, or sent and answered but the build not queued again.
 * After a restart on the same state the preempted build must come back exactly once, the
 * watcher must go out, and no run may be dispatched twice.
 */
for (const point of ['cancel-requested', 'cancel-answered'] as const) {
  test(`a kill -9 at ${point}: after the restart the preempted builder is queued again once and the watcher goes out`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-preempt-crash-'));
    try {
      const child = spawnSync(process.execPath, [CHILD, dir], { env: { ...process.env, PORTFARM_CRASH_AT: point }, encoding: 'utf8' });
      assert.equal(child.signal, 'SIGKILL', `the child passed ${point} without dying: ${child.stdout}${child.stderr}`);
      assert.match(child.stdout, new RegExp(`"crashPoint":"${point}"`));
      const gateway = new FakeRunGateway();
      gateway.runs.push(...(JSON.parse(readFileSync(join(dir, 'github.json'), 'utf8')) as FakeRunGateway['runs']));
      const zlibRun = gateway.runs.find((r) => r.request.port === 'zlib');
      assert.equal(zlibRun?.status, point === 'cancel-requested' ? 'queued' : 'completed', 'GitHub as the crash left it');

      // The restart: the start-up reconcile, then scheduling rounds, then the runs' webhooks.
      const service = new ReorderService({ db: openStore(join(dir, 'state.db')), platforms: ['15_arm64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
      await service.reconcile(new Date(Date.UTC(2026, 7, 1, 12, 5)), signal);
      const round = await service.pump(new Date(Date.UTC(2026, 7, 1, 12, 6)), signal);
      const watcher = gateway.runs.find((r) => r.request.kind === 'watcher' && r.request.portsRevision === 'bbbbbbb2');
      assert.ok(watcher !== undefined, `the waiting watcher was dispatched after the restart (round: ${JSON.stringify(round)})`);
      assert.equal(zlibRun.conclusion, 'cancelled', 'the preempted run is cancelled on GitHub');
      assert.equal(service.runFinished(zlibRun.request.buildId, 'cancelled', new Date()), false, 'its late webhook changes nothing');

      const zlib = service.queueStatus(new Date())[0]?.next.filter((e) => e.port === 'zlib') ?? [];
      assert.equal(zlib.length, 1, `zlib is pending once, to be built again: ${JSON.stringify(service.queueStatus(new Date())[0]?.next)}`);
      const ids = gateway.runs.map((r) => r.request.buildId);
      assert.equal(new Set(ids).size, ids.length, `no build dispatched twice: ${ids.join(', ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
