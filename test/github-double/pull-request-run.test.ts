import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { JobRecord } from './double-records.ts';
import { startGitHubDouble, type GitHubDouble, type RunnerJobMessage } from './github-double.ts';
import { loadPullRequestWorkflow } from './pull-request-workflow.ts';
import { startRunnerStandIn, type RunnerExit } from './runner-stand-in.ts';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const owner = 'macports';
const repo = 'macports-ports';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

/** Polls the double's state (it changes on HTTP calls from the runners) until `done` holds. */
async function until<T>(what: string, get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what} not reached`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('GitHub double: a pull request runs ports-pr.yml (list job, then the matrix from its output)', () => {
  let double: GitHubDouble;
  let octokit: Octokit;
  const seen: RunnerJobMessage[] = [];

  before(async () => {
    const workflow = await loadPullRequestWorkflow('.github/workflows/ports-pr.yml');
    double = await startGitHubDouble({ pullRequestWorkflows: { 'ports-pr.yml': workflow } });
    octokit = new Octokit({
      baseUrl: double.url,
      log: quiet,
      authStrategy: createAppAuth,
      auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId },
    });
  });

  after(async () => {
    await double.close();
  });

  /** A JIT runner with exactly the job's labels runs it, as the runner manager's VM would; sslh fails in install-port. */
  async function runJob(job: JobRecord): Promise<RunnerExit> {
    const { data } = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: `vm-${job.id}`, runner_group_id: 1, labels: job.labels.filter((l) => l !== 'self-hosted') });
    return startRunnerStandIn({
      encodedJitConfig: data.encoded_jit_config,
      runStep: (step, message) => {
        if (step.number === 1) seen.push(message);
        return Promise.resolve(step.name === 'builder: install port' && message.context.matrix !== undefined && (message.context.matrix as { port?: string }).port === 'sslh' ? 'failure' : 'success');
      },
      outputs: (message) => (message.jobKey === 'list' ? { ports: '["sslh","aq"]', chunks: '[]', 'chunk-count': '0', count: '2' } : {}),
    }).exited;
  }

  test('a PR that changes no Portfile sends its webhook but starts no run (paths filter)', () => {
    double.pullRequest({ action: 'opened', number: 6, title: 'README: typo', headSha: 'c'.repeat(40), headRef: 'typo', baseSha: BASE, changedPaths: ['README.md'] });
    assert.equal(double.deliveries().filter((d) => d.event === 'pull_request').length, 1);
    assert.equal(double.runs().length, 0);
  });

  test('opened → list job with its unique label; its ports output becomes the build matrix (platform × port, max-parallel 2); checks per job on the PR head', async () => {
    double.pullRequest({ action: 'opened', number: 7, title: 'sslh: update to 2.2.4', headSha: HEAD, headRef: 'sslh-2.2.4', baseSha: BASE, changedPaths: ['net/sslh/Portfile', 'textproc/aq/Portfile'], cloneUrl: 'https://github.com/contributor/macports-ports.git' });
    const [run] = double.runs();
    assert.ok(run !== undefined);
    assert.deepEqual([run.workflowFile, run.event, run.name, run.headSha, run.group], ['ports-pr.yml', 'pull_request', 'PR #7: sslh: update to 2.2.4', HEAD, 'ports-pr-7']);
    const list = double.jobs().filter((j) => j.runId === run.id);
    assert.deepEqual(list.map((j) => [j.name, j.status, j.labels]), [['watcher (PR #7)', 'queued', ['self-hosted', '15_arm64', `portfarm-build-pr-${run.id}-1-list`]]]);

    const listJob = list[0];
    assert.ok(listJob !== undefined);
    assert.equal((await runJob(listJob)).conclusion, 'success');
    const listMessage = seen.find((m) => m.jobKey === 'list');
    assert.equal((listMessage?.context.github as { event: { pull_request: { head: { repo: { clone_url: string } } } } }).event.pull_request.head.repo.clone_url, 'https://github.com/contributor/macports-ports.git');

    // max-parallel 2: two matrix jobs queued; the next ones when a slot of the matrix frees.
    const builders = (): JobRecord[] => double.jobs().filter((j) => j.runId === run.id && j.jobKey === 'build');
    await until('two builder jobs queued', () => (builders().length === 2 ? true : undefined));
    for (let started = 0; started < 4; started += 1) {
      const next = await until(`builder ${started} queued`, () => builders().find((j) => j.status === 'queued' && j.runnerId === null));
      await runJob(next);
    }
    assert.deepEqual(builders().map((j) => [j.name, j.labels.slice(1), j.conclusion]), [
      ['builder sslh (15_arm64, PR #7)', ['15_arm64', `portfarm-build-pr-${run.id}-1-0`], 'failure'],
      ['builder aq (15_arm64, PR #7)', ['15_arm64', `portfarm-build-pr-${run.id}-1-1`], 'success'],
      ['builder sslh (14_x86_64, PR #7)', ['14_x86_64', `portfarm-build-pr-${run.id}-1-2`], 'failure'],
      ['builder aq (14_x86_64, PR #7)', ['14_x86_64', `portfarm-build-pr-${run.id}-1-3`], 'success'],
    ]);
    const builderMessage = seen.find((m) => m.jobKey === 'build');
    assert.deepEqual([builderMessage?.workflowFile, builderMessage?.context.matrix, builderMessage?.context.needs], ['ports-pr.yml', { platform: '15_arm64', port: 'sslh' }, { list: { result: 'success', outputs: { ports: '["sslh","aq"]', chunks: '[]', 'chunk-count': '0', count: '2' } } }]);
    await until('run completed', () => (double.runs().find((r) => r.id === run.id)?.status === 'completed' ? true : undefined));
    assert.equal(double.runs().find((r) => r.id === run.id)?.conclusion, 'failure');

    // What the PR author sees: GitHub Actions' check per job (port × platform) on the head commit, linked to the job's log.
    const { data } = await octokit.rest.checks.listForRef({ owner, repo, ref: HEAD });
    assert.deepEqual(data.check_runs.map((c) => [c.name, c.status, c.conclusion, c.app?.slug]), [
      ['watcher (PR #7)', 'completed', 'success', 'github-actions'],
      // A PR this small has a job per port × platform: the chunked build job is skipped.
      ['build-chunk', 'completed', 'skipped', 'github-actions'],
      ['builder sslh (15_arm64, PR #7)', 'completed', 'failure', 'github-actions'],
      ['builder aq (15_arm64, PR #7)', 'completed', 'success', 'github-actions'],
      ['builder sslh (14_x86_64, PR #7)', 'completed', 'failure', 'github-actions'],
      ['builder aq (14_x86_64, PR #7)', 'completed', 'success', 'github-actions'],
    ]);
    const failed = data.check_runs[2];
    assert.equal(failed?.details_url, `https://github.com/${owner}/${repo}/actions/runs/${run.id}/job/${failed?.id ?? 0}`);
    const byEvent = await octokit.rest.actions.listWorkflowRunsForRepo({ owner, repo, event: 'pull_request' });
    assert.deepEqual(byEvent.data.workflow_runs.map((r) => [r.id, r.event, r.path]), [[run.id, 'pull_request', '.github/workflows/ports-pr.yml']]);
    assert.deepEqual(double.deliveries().filter((d) => d.event === 'check_run').length, 12);
    double.assertNoViolations();
  });

  test('a list that finds no buildable port skips the build job (no check per port); synchronize with cancel-in-progress cancels the older run', async () => {
    double.pullRequest({ action: 'opened', number: 8, title: 'aq: typo', headSha: 'd'.repeat(40), headRef: 'aq', baseSha: BASE, changedPaths: ['textproc/aq/Portfile'] });
    const first = double.runs().at(-1);
    assert.ok(first !== undefined);
    double.pullRequest({ action: 'synchronize', number: 8, title: 'aq: typo', headSha: 'e'.repeat(40), headRef: 'aq', baseSha: BASE, beforeSha: 'd'.repeat(40), changedPaths: ['textproc/aq/Portfile'] });
    const second = double.runs().at(-1);
    assert.ok(second !== undefined && second.id !== first.id);
    assert.deepEqual([double.runs().find((r) => r.id === first.id)?.conclusion, second.status], ['cancelled', 'queued']);
    const list = double.jobs().find((j) => j.runId === second.id);
    assert.ok(list !== undefined);
    const { data } = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: 'vm-empty', runner_group_id: 1, labels: list.labels.filter((l) => l !== 'self-hosted') });
    await startRunnerStandIn({ encodedJitConfig: data.encoded_jit_config, outputs: () => ({ ports: '[]', chunks: '[]', 'chunk-count': '0', count: '0' }) }).exited;
    await until('run completed', () => (double.runs().find((r) => r.id === second.id)?.status === 'completed' ? true : undefined));
    assert.deepEqual(double.jobs().filter((j) => j.runId === second.id).map((j) => [j.name, j.conclusion]), [['watcher (PR #8)', 'success'], ['build', 'skipped'], ['build-chunk', 'skipped']]);
    assert.equal(double.runs().find((r) => r.id === second.id)?.conclusion, 'success');
    double.assertNoViolations();
  });
});
