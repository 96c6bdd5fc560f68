import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { startGitHubDouble } from '../github-double/github-double.ts';

test('the farm\'s identity comes from GitHub (repository id, the App\'s bot); a configured repository id GitHub disagrees with stops the start, naming both', async () => {
  const double = await startGitHubDouble({ defaultBranch: 'main' });
  try {
    const signal = new AbortController().signal;
    const clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: double.owner, repo: double.repo, writeSpacingMs: 0, log: pino({ level: 'silent' }) }, signal);
    const workflows = { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' };
    assert.deepEqual(await learnFarmIdentity(clients, workflows, signal), {
      repositoryId: 4242_0001, repository: 'macports/macports-ports', defaultBranch: 'main', workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml', appBot: 'portfarm[bot]',
    });
    assert.equal((await learnFarmIdentity(clients, { ...workflows, branch: 'master', repositoryId: 4242_0001 }, signal)).defaultBranch, 'master');
    await assert.rejects(learnFarmIdentity(clients, { ...workflows, repositoryId: 99 }, signal), (e: unknown) =>
      e instanceof UserError && e.message === 'github.repositoryId is 99, but GitHub says macports/macports-ports has id 42420001; set github.repositoryId: 42420001');
  } finally {
    await double.close();
    double.assertNoViolations();
  }
});
