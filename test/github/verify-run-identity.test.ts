import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pullRequestLabelRun, verifyJobIdentity, type JobClaim } from '../../controller/github/verify-job-identity.ts';
import { verifyBuildRun, verifyPullRequestRun, type FarmIdentity, type RunIdentity } from '../../controller/github/verify-run-identity.ts';

const farm: FarmIdentity = { repositoryId: 7, repository: 'macports/macports-ports', defaultBranch: 'master', workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml', appBot: 'portfarm[bot]' };
const run: RunIdentity = {
  runId: 100, runAttempt: 1, repositoryId: 7, repository: 'macports/macports-ports', path: '.github/workflows/ports.yml', event: 'workflow_dispatch',
  headBranch: 'master', headSha: 'a'.repeat(40), triggeringActor: 'portfarm[bot]', actor: 'portfarm[bot]',
};
const reason = (v: { accepted: boolean | 'ask'; reason?: string }): string => (v.accepted === true ? 'accepted' : v.accepted === 'ask' ? 'ask' : (v.reason ?? '?'));

test('a build\'s run: only the recorded run of ports.yml dispatched on the default branch of this repository; the App\'s own when none is recorded', () => {
  const cases: readonly (readonly [Partial<RunIdentity>, number | null | undefined, string])[] = [
    [{}, 100, 'accepted'],
    [{ path: '.github/workflows/ports.yml@refs/heads/master' }, 100, 'accepted'],
    [{ repositoryId: 8 }, 100, 'foreign-repository'],
    [{ repository: 'mallory/macports-ports' }, 100, 'foreign-repository'],
    [{ path: '.github/workflows/not-ports.yml' }, 100, 'foreign-workflow'],
    [{ path: 'evil/.github/workflows/ports.yml' }, 100, 'foreign-workflow'],
    [{ event: 'pull_request' }, 100, 'not-dispatched'],
    [{ event: 'push' }, 100, 'not-dispatched'],
    [{ event: 'schedule' }, 100, 'not-dispatched'],
    [{ headBranch: 'feature' }, 100, 'not-default-branch'],
    [{}, undefined, 'unknown-build'],
    [{}, 99, 'run-not-recorded'],
    [{}, null, 'accepted'],
    [{ triggeringActor: 'maintainer', actor: 'maintainer' }, null, 'not-app-triggered'],
    // A re-run of the App's run by a person: not the App's attempt, so not adopted blind.
    [{ triggeringActor: 'maintainer' }, null, 'not-app-triggered'],
    [{ triggeringActor: 'maintainer' }, 100, 'accepted'],
  ];
  for (const [change, recorded, expected] of cases) assert.equal(reason(verifyBuildRun({ ...run, ...change }, farm, recorded)), expected, JSON.stringify([change, recorded]));
});

test('a ports-pr.yml run: only a pull_request run of this repository\'s ports-pr.yml', () => {
  const pr: RunIdentity = { ...run, path: '.github/workflows/ports-pr.yml', event: 'pull_request', headBranch: 'patch-1', triggeringActor: 'contributor', actor: 'contributor' };
  assert.equal(reason(verifyPullRequestRun(pr, farm)), 'accepted');
  assert.equal(reason(verifyPullRequestRun({ ...pr, event: 'workflow_dispatch' }, farm)), 'not-pull-request-run');
  assert.equal(reason(verifyPullRequestRun({ ...pr, path: '.github/workflows/ports.yml' }, farm)), 'foreign-workflow');
  assert.equal(reason(verifyPullRequestRun({ ...pr, repositoryId: 9 }, farm)), 'foreign-repository');
});

test('a job: its build\'s recorded run; a PR label names the job\'s own run and attempt; else GitHub is asked once', () => {
  const job: JobClaim = { buildId: 'abcd-5', jobId: 1, runId: 100, runAttempt: 1, repositoryId: 7, repository: 'macports/macports-ports' };
  assert.equal(reason(verifyJobIdentity(job, farm, { recordedRunId: 100, run: null })), 'accepted');
  assert.equal(reason(verifyJobIdentity(job, farm, { recordedRunId: 99, run: null })), 'run-not-recorded');
  assert.equal(reason(verifyJobIdentity(job, farm, { recordedRunId: undefined, run: null })), 'unknown-build');
  assert.equal(reason(verifyJobIdentity({ ...job, repositoryId: 8 }, farm, { recordedRunId: 100, run: null })), 'foreign-repository');
  assert.equal(reason(verifyJobIdentity(job, farm, { recordedRunId: null, run: null })), 'ask');
  assert.equal(reason(verifyJobIdentity(job, farm, { recordedRunId: null, run })), 'accepted');
  assert.equal(reason(verifyJobIdentity(job, farm, { recordedRunId: null, run: { ...run, triggeringActor: 'mallory', actor: 'mallory' } })), 'not-app-triggered');
  const prJob: JobClaim = { ...job, buildId: 'pr-100-2-list', runAttempt: 2 };
  const prRun: RunIdentity = { ...run, runAttempt: 2, path: '.github/workflows/ports-pr.yml', event: 'pull_request' };
  assert.equal(reason(verifyJobIdentity(prJob, farm, { recordedRunId: undefined, run: null })), 'ask');
  assert.equal(reason(verifyJobIdentity(prJob, farm, { recordedRunId: undefined, run: prRun })), 'accepted');
  assert.equal(reason(verifyJobIdentity({ ...prJob, runAttempt: 1 }, farm, { recordedRunId: undefined, run: prRun })), 'pr-label-mismatch');
  assert.equal(reason(verifyJobIdentity({ ...prJob, runId: 101 }, farm, { recordedRunId: undefined, run: prRun })), 'pr-label-mismatch');
  assert.equal(reason(verifyJobIdentity({ ...prJob, buildId: 'pr-x' }, farm, { recordedRunId: undefined, run: prRun })), 'pr-label-mismatch');
  assert.equal(reason(verifyJobIdentity(prJob, farm, { recordedRunId: undefined, run: { ...prRun, path: '.github/workflows/evil.yml' } })), 'foreign-workflow');
  assert.deepEqual(pullRequestLabelRun('pr-123-1-0'), { runId: 123, runAttempt: 1 });
  assert.equal(pullRequestLabelRun('pr-123-list'), null);
});
