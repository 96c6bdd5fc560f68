// Red team: reconcile (at start and every sweep) read every run of ports.yml since the oldest
// build in flight, pull requests' too (a PR that edits ports.yml runs it on pull_request, named
// `[<build id>] …`). Each sweep paged through them (one request per 100) and counted each as a
// refused event again, so portfarm_events_rejected_total rose every 5 minutes with no new attack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFarmUnderAttack, watcherInFlight } from './farm-under-attack.ts';

test('reconcile lists only dispatched runs: pull-request runs of an edited ports.yml cost no page and are not counted again each sweep', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    const watcher = await watcherInFlight(farm);
    for (let i = 0; i < 120; i++) h.double.startRun({ workflowFile: 'ports.yml', runName: `[${watcher.buildId}] watcher on 15_arm64`, event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory' });
    await farm.settle();
    assert.ok(await farm.rejected('not-dispatched') >= 120, 'the forged runs\' webhooks were refused');
    const before = h.double.requests.length;
    await h.restart(); // reconcile at start: a fresh /metrics registry
    await farm.settle();
    assert.equal(await farm.rejected('not-dispatched'), 0, 'reconcile counted the forged runs again');
    const pages = h.double.requests.slice(before).filter((r) => r.operation === 'actions/list-workflow-runs' && r.path.endsWith('/ports.yml/runs'));
    assert.ok(pages.length <= 3, `${pages.length} listings of ports.yml runs in one start-up`);
    assert.deepEqual(h.controller.reorder.inFlight().map((e) => [e.buildId, e.runId]), [[watcher.buildId, watcher.runId]]);
  } finally {
    await farm.close();
  }
});
