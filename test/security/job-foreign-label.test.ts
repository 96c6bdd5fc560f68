// Issue #15 item 2 (serve side): a `portfarm-build-<id>` label is anyone's to write in a
// workflow's runs-on. A job gets a VM (and moves its build) only when it is of that build's
// recorded run, or, for a pull-request build, of the ports-pr.yml pull_request run its label names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ForeignRunSpec } from '../github-double/foreign-run-spec.ts';
import { startFarmUnderAttack, watcherInFlight } from './farm-under-attack.ts';

test('jobs with an unknown build label, or a live build\'s label in another workflow, trigger or repository, get no VM and move no build', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    const watcher = await watcherInFlight(farm);
    const label = ['self-hosted', '15_arm64', `portfarm-build-${watcher.buildId}`];
    const job = (labels: readonly string[]): NonNullable<ForeignRunSpec['jobs']> => [{ name: 'build', labels }];
    const pr = (more: Partial<ForeignRunSpec>): ForeignRunSpec => ({ workflowFile: 'ports.yml', runName: 'fix typo', event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory', ...more });
    const forgeries: readonly (readonly [string, ForeignRunSpec])[] = [
      ['unknown-build', pr({ jobs: job(['self-hosted', '15_arm64', 'portfarm-build-zzzz-99']) })],
      ['run-not-recorded', pr({ jobs: job(label) })],
      ['run-not-recorded', pr({ workflowFile: 'evil.yml', event: 'workflow_dispatch', headBranch: 'master', jobs: job(label) })],
      ['foreign-repository', pr({ repository: { id: 666, fullName: 'mallory/macports-ports' }, jobs: job(label) })],
    ];
    const before = farm.state();
    const leases = h.controller.runners.leases().map((l) => l.buildId);
    const vms = h.backend.runnerStarts.length;
    for (const [, spec] of forgeries) h.double.startRun(spec);
    await farm.settle();
    assert.deepEqual(h.controller.runners.leases().map((l) => l.buildId), leases, 'no VM for a forged job');
    assert.equal(h.backend.runnerStarts.length, vms);
    assert.deepEqual(farm.state(), before);
    for (const reason of new Set(forgeries.map(([r]) => r))) {
      assert.equal(await farm.rejected(reason), forgeries.filter(([r]) => r === reason).length, reason);
      assert.ok(farm.rejectionLogs(reason).some((l) => typeof l['why'] === 'string' && String(l['subject']).startsWith('job ')), reason);
    }

    // The listing sweep (jobs still queued without a VM) goes through the same gate: nothing new either.
    await h.restart();
    await farm.settle();
    assert.deepEqual(h.controller.runners.leases().filter((l) => l.buildId !== watcher.buildId), []);
  } finally {
    await farm.close();
  }
});

test('a pull-request label is its own run\'s: a label naming another run, or a ports-pr-like job of another workflow, gets nothing', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    const vms = h.backend.runnerStarts.length;
    // A run whose job claims to be PR run 1's list job (the run id in its label is not its own).
    h.double.startRun({ workflowFile: 'evil.yml', runName: 'PR #1: x', event: 'pull_request', headBranch: 'p', actor: 'mallory', jobs: [{ name: 'list', labels: ['self-hosted', '15_arm64', 'portfarm-build-pr-1-1-list'] }] });
    await farm.settle();
    assert.equal(await farm.rejected('pr-label-mismatch'), 1);
    // A pull_request run of another workflow that names its own run id in the label: GitHub is asked what the run is.
    const own = h.double.startRun({ workflowFile: 'evil.yml', runName: 'PR #1: x', event: 'pull_request', headBranch: 'p', actor: 'mallory', jobs: [{ name: 'list', labels: ['self-hosted', '15_arm64', 'portfarm-build-pr-${{ github.run_id }}-${{ github.run_attempt }}-list'] }] });
    await farm.settle();
    assert.equal(await farm.rejected('foreign-workflow'), 1);
    // Its job's next event is judged on the answer already given: GitHub is asked once per run.
    h.double.completeRun(own.id, 'failure');
    await farm.settle();
    assert.equal(await farm.rejected('foreign-workflow'), 2);
    assert.equal(h.double.requests.filter((r) => r.operation === 'actions/get-workflow-run' && r.path.endsWith(`/actions/runs/${own.id}`)).length, 1);
    assert.equal(h.backend.runnerStarts.length, vms);
    assert.deepEqual(h.controller.runners.leases(), []);
  } finally {
    await farm.close();
  }
});
