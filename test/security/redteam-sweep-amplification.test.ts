// Red team: the catch-up sweep (at start and every 5 minutes) asked GitHub for the jobs of every
// unfinished run of the repository, of any workflow. A pull request adding W workflow files whose
// jobs wait for a runner nobody serves (they stay queued 24 h) made every sweep spend W job
// listings of the App's rate limit per push: 400 such runs were ~4,800 requests an hour, the
// whole installation budget, and the farm's dispatches and checks were refused with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFarmUnderAttack } from './farm-under-attack.ts';

test('the sweep lists jobs only of runs that can be the farm\'s: a pull request\'s own workflows cost no request', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    const forged = Array.from({ length: 20 }, (_, i) =>
      h.double.startRun({ workflowFile: `spam-${i}.yml`, runName: 'ci', event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory', jobs: [{ name: 'wait', labels: ['self-hosted', 'nobody-serves-this'] }] }));
    await farm.settle();
    const before = h.double.requests.length;
    await h.restart(); // the start-up sweep
    await farm.settle();
    const sweep = h.double.requests.slice(before);
    assert.ok(sweep.some((r) => r.operation?.startsWith('actions/list-workflow-runs') === true), 'the sweep ran');
    const ids = new Set(forged.map((r) => String(r.id)));
    const asked = sweep.filter((r) => r.operation === 'actions/list-jobs-for-workflow-run' && ids.has(r.path.split('/').at(-2) ?? ''));
    assert.equal(asked.length, 0, `the sweep listed the jobs of ${asked.length} runs of workflows a pull request added`);
  } finally {
    await farm.close();
  }
});
