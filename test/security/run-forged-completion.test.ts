// Issue #15 item 1: a run is the farm's by what GitHub sets, never by its name. A pull request
// that edits ports.yml to run on pull_request, a push run, another workflow, another repository
// or a maintainer's own dispatch can all be named `[<build id>] …` (ids are public in run
// names); none of them may finish, start or cancel that build.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ForeignRunSpec } from '../github-double/foreign-run-spec.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { REV1, startFarmUnderAttack, watcherInFlight } from './farm-under-attack.ts';

/** The ways anyone with PR access (or a maintainer by hand) can make a run with any name. */
const forgeries = (runName: string): readonly (readonly [string, ForeignRunSpec])[] => [
  ['not-dispatched', { workflowFile: 'ports.yml', runName, event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory' }],
  ['not-dispatched', { workflowFile: 'ports.yml', runName, event: 'push', headBranch: 'master', actor: 'mallory' }],
  ['foreign-workflow', { workflowFile: 'evil.yml', runName, event: 'workflow_dispatch', headBranch: 'master', actor: 'mallory' }],
  ['foreign-workflow', { workflowFile: 'not-ports.yml', runName, event: 'workflow_dispatch', headBranch: 'master', actor: 'mallory' }],
  ['not-default-branch', { workflowFile: 'ports.yml', runName, event: 'workflow_dispatch', headBranch: 'mallory-patch-1', actor: 'mallory' }],
  ['foreign-repository', { workflowFile: 'ports.yml', runName, event: 'workflow_dispatch', headBranch: 'master', actor: 'mallory', repository: { id: 666, fullName: 'mallory/macports-ports' } }],
  // Even a maintainer's own dispatch of ports.yml on master is not the run dispatched for the build.
  ['run-not-recorded', { workflowFile: 'ports.yml', runName, event: 'workflow_dispatch', headBranch: 'master', actor: 'maintainer' }],
];

test('forged runs named after an in-flight watcher, then builder, finish nothing: queue, ledger and checks unchanged, each refusal counted and logged; the real runs still finish them', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    const watcher = await watcherInFlight(farm);
    const attack = async (runName: string): Promise<void> => {
      const before = farm.state();
      const counts = new Map<string, number>();
      for (const [reason] of forgeries(runName)) counts.set(reason, await farm.rejected(reason));
      for (const [, spec] of forgeries(runName)) {
        const run = h.double.startRun(spec);
        // The watcher finished as cancelled (its commit's ports would never be built), or as success.
        h.double.completeRun(run.id, spec.event === 'pull_request' ? 'cancelled' : 'success');
      }
      await farm.settle();
      assert.deepEqual(farm.state(), before, `a forged [${runName}] run changed the farm`);
      for (const [reason, count] of counts) {
        const expected = forgeries(runName).filter(([r]) => r === reason).length * 2; // requested + completed
        assert.equal(await farm.rejected(reason) - count, expected, `${reason} counted for ${runName}`);
        assert.ok(farm.rejectionLogs(reason).some((l) => typeof l['why'] === 'string' && l['title'] === runName), `the operator sees why (${reason})`);
      }
    };

    await attack(`[${watcher.buildId}] watcher on 15_arm64`);
    assert.equal(h.controller.reorder.describeBuild(watcher.buildId)?.state, 'started');

    // The watcher hands over curl, the real watcher run finishes, the builder is dispatched and held.
    h.controller.reorder.acceptPortList({ buildId: watcher.buildId, platform: '15_arm64', portsRevision: REV1, ports: ['curl'], excluded: [] }, new Date());
    farm.release(new RegExp(`^\\[${watcher.buildId}\\]`));
    await waitFor(() => h.controller.reorder.describeBuild(watcher.buildId)?.state === 'finished', 'the real watcher run finishes its build');
    await waitFor(() => h.controller.reorder.inFlight().some((e) => e.kind === 'builder' && e.runId !== null && e.state === 'started'), 'the builder running');
    const builder = h.controller.reorder.inFlight().find((e) => e.kind === 'builder');
    assert.ok(builder !== undefined);
    await farm.settle();
    await attack(`[${builder.buildId}] curl on 15_arm64`);
    assert.equal(h.controller.reorder.describeBuild(builder.buildId)?.state, 'started');

    // The builder's own run still finishes it: one ledger line, recorded with the real run id.
    farm.release(new RegExp(`^\\[${builder.buildId}\\]`));
    await waitFor(() => h.controller.reorder.describeBuild(builder.buildId)?.state === 'finished', 'the real builder run finishes its build');
    await farm.settle();
    const lines = farm.state().ledger.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.filter((l) => JSON.stringify(l).includes(builder.buildId)).length, 1);
    assert.equal(h.controller.reorder.describeBuild(builder.buildId)?.runId, builder.runId);
  } finally {
    await farm.close();
  }
});
