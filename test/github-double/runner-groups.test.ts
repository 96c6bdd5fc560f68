import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Octokit, RequestError } from 'octokit';
import { createAppAuth } from '@octokit/auth-app';
import { startGitHubDouble } from './github-double.ts';
import { groupAdmits, workflowEntryMatches, type RunnerGroupSpec } from './runner-groups.ts';
import { createSchemaValidator } from './schema-validator.ts';

/** The HTTP status of an octokit failure. */
function statusOf(error: unknown): number {
  return error instanceof RequestError ? error.status : -1;
}

const PORTS = 'macports/macports-ports/.github/workflows/ports.yml';
const restricted: RunnerGroupSpec = { id: 7, name: 'm', visibility: 'selected', selectedRepositoryIds: [1], allowsPublicRepositories: true, restrictedToWorkflows: true, selectedWorkflows: [`${PORTS}@refs/heads/master`] };

test('a restricted group admits only its workflow at its branch: not a pull request\'s run of the same file, another branch, file or repository', () => {
  const job = (workflowRef: string, repositoryId = 1): Parameters<typeof groupAdmits>[1] => ({ repositoryId, repositoryPublic: true, workflowRef });
  assert.equal(groupAdmits(restricted, job(`${PORTS}@refs/heads/master`)), true);
  assert.equal(groupAdmits(restricted, job(`${PORTS}@refs/pull/12/merge`)), false);
  assert.equal(groupAdmits(restricted, job(`${PORTS}@refs/heads/evil`)), false);
  assert.equal(groupAdmits(restricted, job('macports/macports-ports/.github/workflows/ci.yml@refs/heads/master')), false);
  assert.equal(groupAdmits(restricted, job(`${PORTS}@refs/heads/master`, 2)), false);
  // A public repository needs allows_public_repositories; the Default group's policy (all, private only) refuses it.
  assert.equal(groupAdmits({ ...restricted, allowsPublicRepositories: false }, job(`${PORTS}@refs/heads/master`)), false);
  assert.equal(groupAdmits({ id: 1, name: 'Default', visibility: 'all', allowsPublicRepositories: false, restrictedToWorkflows: false }, job(`${PORTS}@refs/pull/1/merge`)), false);
  // Entries: the short branch form names the same branch; a wildcard is not honoured (stricter than GitHub may be, never friendlier).
  assert.equal(workflowEntryMatches(`${PORTS}@master`, `${PORTS}@refs/heads/master`), true);
  assert.equal(workflowEntryMatches(`${PORTS}@*`, `${PORTS}@refs/heads/master`), false);
});

test('organisation runner endpoints: 403 without the App\'s organisation permission, 404 for another organisation; a JIT runner lands in the group asked for', async () => {
  const groups = [restricted];
  const schema = createSchemaValidator();
  for (const [permission, status] of [['none', 403], ['read', 403], ['write', 201]] as const) {
    const double = await startGitHubDouble({ schema, organization: { login: 'macports', selfHostedRunnersPermission: permission, runnerGroups: groups } });
    try {
      const octokit = new Octokit({ baseUrl: double.url, authStrategy: createAppAuth, auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId } });
      const answer = await octokit.rest.actions.generateRunnerJitconfigForOrg({ org: 'macports', name: `vm-${permission}`, runner_group_id: 7, labels: ['15_arm64'] }).then((r) => r.status, statusOf);
      assert.equal(answer, status, permission);
      if (status === 201) {
        assert.equal(double.runners()[0]?.groupId, 7);
        const other = await octokit.rest.actions.generateRunnerJitconfigForOrg({ org: 'mallory', name: 'vm-x', runner_group_id: 7, labels: ['x'] }).then((r) => r.status, statusOf);
        assert.equal(other, 404);
        const { data } = await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner: 'macports', repo: 'macports-ports' });
        assert.equal(data.total_count, 0, 'an organisation runner is not the repository\'s');
      }
      double.assertNoViolations();
    } finally {
      await double.close();
    }
  }
});
