import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPullRequestWorkflow } from '../github-double/pull-request-workflow.ts';
import { startServeHarness } from './serve-harness.ts';

/**
 * A PR job (ports-pr.yml, on its own pull_request trigger, never in the reorder queue) whose VM
 * was still booting when the controller stopped has had its one `queued` delivery: GitHub sends
 * no other, and missed-delivery recovery finds nothing to redeliver. The restarted controller
 * must find the job among the repository's unfinished runs and start a VM; asking only for the
 * runs portfarm dispatched left it queued until someone cancelled it (the e2e demo caught this).
 */
test('a PR job whose VM was lost in a controller restart gets a new VM from the restarted controller', { timeout: 90_000 }, async () => {
  const workflow = await loadPullRequestWorkflow('.github/workflows/ports-pr.yml');
  const farm = await startServeHarness({
    doubleOptions: { pullRequestWorkflows: { 'ports-pr.yml': workflow } },
    backendOptions: { bootMs: 1_500 },
  });
  try {
    farm.double.pullRequest({ action: 'opened', number: 41, title: 'aq: update', headSha: 'a'.repeat(40), headRef: 'aq', baseSha: 'b'.repeat(40), changedPaths: ['textproc/aq/Portfile'] });
    const run = farm.double.runs().at(-1);
    assert.ok(run !== undefined, 'the PR started a ports-pr.yml run');
    const ofRun = (msg: string) => farm.logs.filter((e) => e.msg === msg && String(e.buildId).startsWith(`pr-${run.id}-`)).length;
    await until(() => ofRun('cloning VM') === 1);
    // Stopped mid-boot: the close tears the VM down before any runner was registered.
    await farm.restart();
    assert.equal(ofRun('runner registered'), 0);
    await until(() => ofRun('runner registered') === 1);
    assert.ok(farm.logs.some((e) => e.msg === 'job still queued on GitHub without a VM; starting one'), 'the restarted controller found the waiting PR job');
    farm.double.assertNoViolations();
  } finally {
    await farm.close();
  }
});

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail('not reached in 45 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
