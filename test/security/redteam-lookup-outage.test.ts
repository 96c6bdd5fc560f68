// Red team (plain fault + a PR's jobs): the job gate asks GitHub what a pull-request job's run is,
// once per run, inside the one delivery queue. A failed answer was not remembered, so while
// GitHub answered the runs endpoint with 5xx, every job of the run asked again, each ask taking
// octokit's retries (1 + 4 + 9 s) at the head of the queue: a 256-job matrix held every other
// delivery (the farm's own builds' jobs) back for an hour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFarmUnderAttack } from './farm-under-attack.ts';

test('during a GitHub outage of the runs endpoint, the jobs of one run cost one failed ask, not one per job', { timeout: 120_000 }, async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    await farm.settle();
    h.double.failRequests({ status: 502, times: 1_000, operation: 'actions/get-workflow-run' });
    const label = 'portfarm-build-pr-${{ github.run_id }}-${{ github.run_attempt }}';
    const run = h.double.startRun({ workflowFile: 'matrix.yml', runName: 'PR #9: typo', event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory', jobs: [0, 1, 2].map((i) => ({ name: `j${i}`, labels: ['self-hosted', '15_arm64', `${label}-j${i}`] })) });
    await farm.settle();
    const asks = h.double.requests.filter((r) => r.operation === 'actions/get-workflow-run' && r.path.endsWith(`/actions/runs/${run.id}`)).length;
    assert.ok(asks <= 4, `${asks} requests for run ${run.id}: one ask (and its 3 retries) is enough while GitHub fails`);
    assert.equal(await farm.rejected('run-unverifiable'), 3, 'each job is refused (the sweep asks again later)');
    assert.deepEqual(h.controller.runners.leases(), []);
  } finally {
    await farm.close();
  }
});
