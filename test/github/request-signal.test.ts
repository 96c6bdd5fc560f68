import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { listRunJobs } from '../../controller/github/list-run-jobs.ts';
import { listUnfinishedRuns } from '../../controller/github/list-queued-jobs.ts';
import { GithubRunnerRegistry } from '../../controller/runners/github-runner-registry.ts';
import { startGitHubDouble } from '../github-double/github-double.ts';
import { captureLog } from './capture-log.ts';

test('requests use the signal they are given, paged ones too, and an aborted one is not retried: a teardown during a stop still lists, a cut-off call ends at once', async () => {
  const double = await startGitHubDouble({ repo: 'macports/macports-ports' });
  try {
    const stopping = new AbortController();
    const { log } = captureLog();
    const clients = await createGitHubClients(
      { appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log },
      stopping.signal,
    );
    const registry = new GithubRunnerRegistry({ octokit: clients.installation, repo: 'macports/macports-ports' });
    const own = AbortSignal.timeout(30_000);
    const made = await registry.generateJitConfig({ name: 'portfarm-t1-1-abcd', labels: ['self-hosted', '15_arm64'], runnerGroupId: 1, workFolder: '_work' }, own);
    // The controller stops: its clients' default signal is aborted; a teardown lists with its own.
    stopping.abort(new Error('controller stopping'));
    const started = Date.now();
    assert.deepEqual((await registry.listRunners(own)).map((r) => r.id), [made.runner.id]);
    assert.deepEqual(await listUnfinishedRuns(clients, [{ workflow: 'ports-pr.yml', event: 'pull_request' }], own), []);
    assert.ok(Date.now() - started < 5_000, `listing took ${Date.now() - started} ms`);
    // And a listing whose own signal is aborted stops.
    const aborted = AbortSignal.abort(new Error('teardown deadline'));
    await assert.rejects(listRunJobs(clients, 1, aborted));
    // An aborted request is not tried again: plugin-retry would take 1 + 4 + 9 s to give up.
    const before = double.requests.length;
    const abortedAt = Date.now();
    await assert.rejects(registry.deleteRunner(made.runner.id, aborted), /aborted: teardown deadline/);
    await assert.rejects(listRunJobs(clients, 1, aborted), /aborted: teardown deadline/);
    assert.ok(Date.now() - abortedAt < 5_000, `giving up took ${Date.now() - abortedAt} ms`);
    assert.equal(double.requests.length, before, 'nothing reached GitHub');
    double.assertNoViolations();
  } finally {
    await double.close();
  }
});
