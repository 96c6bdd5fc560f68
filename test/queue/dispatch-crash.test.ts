import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

const CHILD = join(import.meta.dirname, 'dispatch-crash-child.ts');
const signal = new AbortController().signal;
const CRASH_PLATFORMS = ['15_arm64', '14_x86_64', '13_x86_64'];

/**
 * A kill -9 in a round whose platforms dispatch side by side: the second platform's intent
 * committed but GitHub not asked (dispatch-intent#2), or the second answer not recorded while
 * the others' dispatches are in flight (dispatch-answered#2). After a restart on the same state
 * (reconcile, then a round) every platform's watcher has exactly one run and none is dispatched twice.
 */
for (const point of ['dispatch-intent#2', 'dispatch-answered#2'] as const) {
  test(`a kill -9 at ${point} in a round over three platforms: after the restart each platform's watcher has one run`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-dispatch-crash-'));
    try {
      const child = spawnSync(process.execPath, [CHILD, dir, ...CRASH_PLATFORMS], { env: { ...process.env, PORTFARM_CRASH_AT: point }, encoding: 'utf8' });
      assert.equal(child.signal, 'SIGKILL', `the child passed ${point} without dying: ${child.stdout}${child.stderr}`);
      assert.match(child.stdout, new RegExp(`"crashPoint":"${point.split('#')[0] ?? ''}"`));
      const gateway = new FakeRunGateway();
      gateway.runs.push(...(JSON.parse(readFileSync(join(dir, 'github.json'), 'utf8')) as FakeRunGateway['runs']));
      const before = gateway.runs.length;
      assert.equal(before, point === 'dispatch-intent#2' ? 1 : 3, 'GitHub as the crash left it');

      const service = new ReorderService({ db: openStore(join(dir, 'state.db')), platforms: CRASH_PLATFORMS, gateway, graph: null, idPrefix: 'dc' });
      const found = await service.reconcile(new Date(), signal);
      assert.equal(found.adopted.length, point === 'dispatch-intent#2' ? 1 : 2, `runs whose answer was lost are adopted: ${JSON.stringify(found)}`);
      await service.pump(new Date(), signal);
      for (const platform of CRASH_PLATFORMS) {
        assert.equal(gateway.runs.filter((r) => r.request.platform === platform).length, 1, `one run on ${platform}: ${JSON.stringify(gateway.runs.map((r) => r.request.buildId))}`);
      }
      assert.deepEqual(service.inFlight().map((e) => [e.platform, e.runId !== null]).sort(), CRASH_PLATFORMS.map((p) => [p, true]).sort());
      const ids = gateway.runs.map((r) => r.request.buildId);
      assert.equal(new Set(ids).size, ids.length, `no build dispatched twice: ${ids.join(', ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
