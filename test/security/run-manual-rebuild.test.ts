// Issue #15 item 3: a full rebuild (every port on a platform, days of machine time) is queued
// only for a default-branch workflow_dispatch of ports.yml by someone with write access, at a
// commit of the default branch. A run merely named `manual: watcher (full rebuild) on 15_arm64`
// queues nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ForeignRunSpec } from '../github-double/foreign-run-spec.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { startFarmUnderAttack } from './farm-under-attack.ts';

const TITLE = 'manual: watcher (full rebuild) on 15_arm64';
const dispatch = (actor: string, more: Partial<ForeignRunSpec> = {}): ForeignRunSpec => ({ workflowFile: 'ports.yml', runName: TITLE, event: 'workflow_dispatch', headBranch: 'master', actor, ...more });

test('a forged full rebuild — from a pull_request run, a push run, another workflow, another branch, a read-only user, a commit off the default branch — queues nothing; the operator sees why', async () => {
  const farm = await startFarmUnderAttack({ collaborators: { alice: 'write', rita: 'read', tom: 'triage' } });
  try {
    const { h } = farm;
    const forgeries: readonly (readonly [string, ForeignRunSpec])[] = [
      ['rebuild-not-dispatched', { ...dispatch('mallory'), event: 'pull_request', headBranch: 'mallory-patch-1' }],
      ['rebuild-not-dispatched', { ...dispatch('mallory'), event: 'push' }],
      ['rebuild-foreign-workflow', dispatch('alice', { workflowFile: 'evil.yml' })],
      ['rebuild-not-default-branch', dispatch('alice', { headBranch: 'alice-experiment' })],
      ['rebuild-foreign-repository', dispatch('alice', { repository: { id: 666, fullName: 'alice/macports-ports' } })],
      ['rebuild-actor-not-permitted', dispatch('rita')],
      ['rebuild-actor-not-permitted', dispatch('tom')],
      ['rebuild-actor-not-permitted', dispatch('mallory')],
      ['rebuild-commit-not-on-default-branch', dispatch('alice', { headSha: 'f'.repeat(40) })],
    ];
    const before = farm.state();
    for (const [, spec] of forgeries) h.double.startRun(spec);
    await farm.settle();
    assert.deepEqual(farm.state(), before, 'a forged full rebuild changed the farm');
    for (const reason of new Set(forgeries.map(([r]) => r))) {
      assert.equal(await farm.rejected(reason), forgeries.filter(([r]) => r === reason).length, reason);
    }
    const refused = h.logs.filter((l) => l.msg === 'full rebuild refused, queue unchanged');
    assert.equal(refused.length, forgeries.length);
    assert.ok(refused.some((l) => l['reason'] === 'rebuild-actor-not-permitted' && /rita has read permission/.test(String(l['why']))), JSON.stringify(refused));
    assert.ok(refused.some((l) => l['reason'] === 'rebuild-commit-not-on-default-branch' && /is not on master/.test(String(l['why']))));

    // A writer's dispatch at the default branch's head is queued, once.
    h.double.startRun(dispatch('alice'));
    await farm.settle();
    await waitFor(() => h.logs.some((l) => l.msg === 'full rebuild queued (forced from the Actions form)'), 'the full rebuild queued');
    const forced = farm.state().queue.filter((row) => row['force'] === 1);
    assert.equal(forced.length, 1);
    assert.equal(forced[0]?.['ports_revision'], h.double.defaultBranchCommits().at(-1));
  } finally {
    await farm.close();
  }
});

test('github.rebuildActors may ask without GitHub being asked; everyone else still needs write', async () => {
  const farm = await startFarmUnderAttack({
    collaborators: { bob: 'read' },
    configure: (config) => ({ ...config, github: { ...config.github, rebuildActors: ['bob'] } }),
  });
  try {
    const { h } = farm;
    h.double.startRun(dispatch('bob'));
    await farm.settle();
    await waitFor(() => h.logs.some((l) => l.msg === 'full rebuild queued (forced from the Actions form)'), 'bob\'s full rebuild queued');
    assert.equal(h.double.requests.filter((r) => r.operation === 'repos/get-collaborator-permission-level').length, 0);
  } finally {
    await farm.close();
  }
});
