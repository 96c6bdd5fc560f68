// Issue #15: a pull request's job can take a farm runner. GitHub gives an idle runner any queued
// job of the repository whose labels are a subset of the runner's; a PR that edits ports.yml to
// run on `pull_request` with `runs-on: [self-hosted]` (or the exact platform and build labels)
// gets the next farm VM. With organisation runners in a group restricted to
// `ports.yml@refs/heads/master` GitHub never offers it one: the PR run's ref is refs/pull/N/merge.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import type { Config } from '../../controller/config/config-schema.ts';
import type { ForeignRunSpec } from '../github-double/foreign-run-spec.ts';
import type { OrganizationSpec } from '../github-double/runner-groups.ts';
import { REPOSITORY_ID } from '../handoff/issue-tokens.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { startFarmUnderAttack, type FarmUnderAttack } from './farm-under-attack.ts';

const MASTER_GROUP = 7;
const PR_GROUP = 8;

const organization: OrganizationSpec = {
  login: 'macports',
  selfHostedRunnersPermission: 'write',
  runnerGroups: [
    {
      id: MASTER_GROUP,
      name: 'portfarm-master',
      visibility: 'selected',
      selectedRepositoryIds: [REPOSITORY_ID],
      allowsPublicRepositories: true,
      restrictedToWorkflows: true,
      selectedWorkflows: ['macports/macports-ports/.github/workflows/ports.yml@refs/heads/master'],
    },
    { id: PR_GROUP, name: 'portfarm-pr', visibility: 'selected', selectedRepositoryIds: [REPOSITORY_ID], allowsPublicRepositories: true, restrictedToWorkflows: false },
  ],
};

const organizationScope = (config: Config): Config => ({
  ...config,
  github: { ...config.github, runnerRegistration: { scope: 'organization', masterGroupId: MASTER_GROUP, pullRequestGroupId: PR_GROUP, allowUnrestrictedGroup: false } },
});

/** The id the controller's first build will get (`<prefix>-1`; the prefix is in the state database from the first start). */
function firstBuildId(farm: FarmUnderAttack): string {
  const db = new DatabaseSync(join(farm.h.stateDir, 'portfarm.sqlite'), { readOnly: true });
  try {
    const row = db.prepare(`select value from meta where key = 'id_prefix'`).get();
    return `${String(row?.value)}-1`;
  } finally {
    db.close();
  }
}

/** A PR that edited ports.yml to run on pull_request, queued before the farm's own job, so a runner whose labels fit is offered it first. */
function prStealingRun(buildId: string): ForeignRunSpec {
  return {
    workflowFile: 'ports.yml',
    runName: 'fix typo',
    event: 'pull_request',
    headBranch: 'mallory-patch-1',
    actor: 'mallory',
    jobs: [
      { name: 'any-self-hosted', labels: ['self-hosted'] },
      { name: 'exact-labels', labels: ['self-hosted', '15_arm64', `portfarm-build-${buildId}`] },
    ],
  };
}

test('organisation runners in a group restricted to ports.yml: a PR job asking for [self-hosted] or the exact labels is never given the farm runner; the build runs on its own VM', async () => {
  const farm = await startFarmUnderAttack({ organization, configure: organizationScope });
  try {
    const { h } = farm;
    const buildId = firstBuildId(farm);
    const pr = h.double.startRun(prStealingRun(buildId));
    h.double.push({ ref: 'refs/heads/master', before: '0'.repeat(40), after: '1'.repeat(40), commits: [{ id: '1'.repeat(40), message: 'curl: update', timestamp: '2026-11-26T08:00:00Z', added: [], removed: [], modified: ['net/curl/Portfile'] }] });
    await waitFor(() => h.double.jobs().some((j) => j.runId !== pr.id && j.status === 'in_progress'), 'the watcher\'s job running');
    await farm.settle();
    const [runner] = h.double.runners();
    assert.equal(runner?.groupId, MASTER_GROUP, 'the watcher\'s runner is an organisation runner in the master group');
    assert.match(runner.name, new RegExp(`^portfarm-${buildId}-1-`));
    const prJobs = h.double.jobs().filter((j) => j.runId === pr.id);
    assert.deepEqual(prJobs.map((j) => [j.name, j.status, j.runnerId]), [['any-self-hosted', 'queued', null], ['exact-labels', 'queued', null]]);
    // The build goes on to the end on its own VM; the PR jobs never get one.
    farm.release(/./);
    await waitFor(() => h.double.jobs().some((j) => j.runId !== pr.id && j.status === 'completed'), 'the watcher\'s job completed');
    await farm.settle();
    const watcherJob = h.double.jobs().find((j) => j.runId !== pr.id && j.status === 'completed');
    assert.equal(watcherJob?.conclusion, 'success');
    assert.equal(watcherJob.runnerName?.startsWith(`portfarm-${buildId}-1-`), true, 'the first VM ran it: nothing was taken');
    assert.deepEqual(h.double.jobs().filter((j) => j.runId === pr.id).map((j) => j.runnerId), [null, null]);
    assert.equal(await farm.rejected('runner-taken-by-foreign-job'), 0);
    assert.deepEqual(h.double.requests.filter((r) => r.operation === 'actions/generate-runner-jitconfig-for-repo'), [], 'no repository runner was ever registered');
  } finally {
    await farm.close();
  }
});

test('repository runners (the default): the same PR job takes the farm runner, which is destroyed with nothing collected and the thief\'s run cancelled', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    const buildId = firstBuildId(farm);
    const pr = h.double.startRun(prStealingRun(buildId));
    h.double.push({ ref: 'refs/heads/master', before: '0'.repeat(40), after: '1'.repeat(40), commits: [{ id: '1'.repeat(40), message: 'curl: update', timestamp: '2026-11-26T08:00:00Z', added: [], removed: [], modified: ['net/curl/Portfile'] }] });
    await waitFor(() => h.double.jobs().some((j) => j.runId === pr.id && j.runnerName?.startsWith(`portfarm-${buildId}-1-`) === true), 'a PR job on the farm runner');
    await waitFor(() => h.double.runs().find((r) => r.id === pr.id)?.status === 'completed', 'the thief\'s run cancelled');
    await farm.settle();
    assert.equal(h.double.runs().find((r) => r.id === pr.id)?.conclusion, 'cancelled');
    assert.ok((await farm.rejected('runner-taken-by-foreign-job')) >= 1);
  } finally {
    await farm.close();
  }
});
