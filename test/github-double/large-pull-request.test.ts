import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { planPullRequestBuilds, portSlice } from '../../action/src/plan-pull-request-builds.ts';
import { MAX_JOB_OUTPUT_BYTES } from './actions-limits.ts';
import type { JobRecord } from './double-records.ts';
import { startGitHubDouble, type GitHubDouble, type RunnerJobMessage } from './github-double.ts';
import { loadPullRequestWorkflow } from './pull-request-workflow.ts';
import { startRunnerStandIn, type StepConclusion } from './runner-stand-in.ts';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const owner = 'macports';
const repo = 'macports-ports';
const BASE = 'b'.repeat(40);
/** 300 real MacPorts ports (a big revbump), in the data set's order. */
const PORTS = (JSON.parse(readFileSync(new URL('../../../shared/data/macports/ports.json', import.meta.url), 'utf8')) as { name: string }[]).slice(0, 300).map((p) => p.name);
const PLATFORMS = ['15_arm64', '14_x86_64'];
const FAILING = PORTS[123] ?? '';

async function until<T>(what: string, get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what} not reached`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('GitHub double: a 300-port pull request on 2 platforms (600 builds, GitHub\'s 256-job matrix and 1 MB outputs enforced)', () => {
  let double: GitHubDouble;
  let octokit: Octokit;

  before(async () => {
    double = await startGitHubDouble({ pullRequestWorkflows: { 'ports-pr.yml': await loadPullRequestWorkflow('.github/workflows/ports-pr.yml') } });
    octokit = new Octokit({ baseUrl: double.url, log: quiet, authStrategy: createAppAuth, auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId } });
  });
  after(async () => {
    await double.close();
  });

  /** A JIT runner with the job's labels runs it, as the farm's VM would. */
  async function runJob(job: JobRecord, runStep: (name: string, message: RunnerJobMessage) => StepConclusion, outputs: Record<string, string> = {}): Promise<void> {
    const { data } = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: `vm-${job.id}`, runner_group_id: 1, labels: job.labels.filter((l) => l !== 'self-hosted') });
    await startRunnerStandIn({ encodedJitConfig: data.encoded_jit_config, runStep: (step, message) => Promise.resolve(runStep(step.name, message)), outputs: () => outputs }).exited;
  }

  const openPullRequest = (number: number, head: string) => {
    double.pullRequest({ action: 'opened', number, title: 'py: revbump for openssl', headSha: head.repeat(40), headRef: `revbump-${number}`, baseSha: BASE, changedPaths: ['python/py-foo/Portfile'] });
    const run = double.runs().at(-1);
    assert.ok(run !== undefined);
    const list = double.jobs().find((j) => j.runId === run.id && j.jobKey === 'list');
    assert.ok(list !== undefined);
    return { run, list };
  };
  const finished = (runId: number) => until('run completed', () => (double.runs().find((r) => r.id === runId)?.status === 'completed' ? true : undefined));

  test('every port × platform is built by the chunk jobs (128 per platform, 256 in all) and each chunk job\'s check reports its ports', async () => {
    const { run, list } = openPullRequest(9, 'a');
    const plan = planPullRequestBuilds(PORTS.length, PLATFORMS.length);
    assert.deepEqual(plan, { perPort: false, chunks: 128 });
    let artifact: readonly string[] | null = null;
    // The list job: list-subports planned chunks (the action's own plan) and the list went up as an artifact.
    await runJob(list, (name) => {
      if (name === 'watcher: keep the port list for the chunk jobs') artifact = PORTS;
      return 'success';
    }, { ports: '[]', chunks: JSON.stringify(Array.from({ length: plan.chunks }, (_, i) => i)), 'chunk-count': String(plan.chunks), count: String(PORTS.length) });

    const built: string[] = [];
    const chunkJobs = (): JobRecord[] => double.jobs().filter((j) => j.runId === run.id && j.jobKey === 'build-chunk');
    const buildChunk = (job: JobRecord): Promise<void> =>
      runJob(job, (name, message) => {
        if (name !== 'builder: build the chunk of ports in order') return 'success';
        const { chunk, platform } = message.context.matrix as { chunk: number; platform: string };
        const needs = message.context.needs as { list: { outputs: Record<string, string> } };
        assert.ok(artifact !== null, 'the chunk job fetched the list the list job uploaded');
        const slice = portSlice(artifact, chunk, Number(needs.list.outputs['chunk-count']));
        built.push(...slice.map((port) => `${port} on ${platform}`));
        return slice.includes(FAILING) ? 'failure' : 'success';
      });
    // max-parallel 2: GitHub holds the rest of the matrix until a job of it finishes; run the two it released at once.
    for (let done = 0; done < 256;) {
      const queued = await until(`chunk job ${done} queued`, () => {
        const waiting = chunkJobs().filter((j) => j.status === 'queued' && j.runnerId === null);
        return waiting.length === 0 ? undefined : waiting;
      });
      await Promise.all(queued.map(buildChunk));
      done += queued.length;
    }
    await finished(run.id);
    assert.equal(chunkJobs().length, 256, 'no more jobs than one matrix may hold');
    assert.equal(built.length, 600);
    assert.deepEqual(new Set(built), new Set(PLATFORMS.flatMap((platform) => PORTS.map((port) => `${port} on ${platform}`))));
    assert.deepEqual(double.jobs().filter((j) => j.runId === run.id && j.jobKey === 'build').map((j) => j.conclusion), ['skipped']);

    // What the PR page shows: GitHub Actions' check per job on the head commit.
    const chunkChecks = double.checkRuns().filter((c) => c.headSha === 'a'.repeat(40) && c.name.startsWith('builder chunk '));
    assert.equal(chunkChecks.length, 256);
    const failedChecks = chunkChecks.filter((c) => c.conclusion === 'failure').map((c) => c.name);
    const failingChunk = Math.floor((PORTS.indexOf(FAILING) * 128) / 300);
    assert.ok(portSlice(PORTS, failingChunk, 128).includes(FAILING));
    assert.deepEqual(failedChecks, PLATFORMS.map((platform) => `builder chunk ${failingChunk} (${platform}, PR #9)`));
    assert.equal(double.runs().find((r) => r.id === run.id)?.conclusion, 'failure');
    double.assertNoViolations();
  });

  test('the old design, a job per port × platform for 300 ports, is refused as GitHub refuses it: the 600-job matrix fails without running', async () => {
    const { run, list } = openPullRequest(10, 'c');
    await runJob(list, () => 'success', { ports: JSON.stringify(PORTS), chunks: '[]', 'chunk-count': '0', count: String(PORTS.length) });
    await finished(run.id);
    const jobs = double.jobs().filter((j) => j.runId === run.id && j.id !== list.id);
    assert.deepEqual(jobs.map((j) => [j.jobKey, j.conclusion, j.runnerId, j.labels]), [['build', 'failure', null, []], ['build-chunk', 'skipped', null, []]]);
    assert.equal(double.runs().find((r) => r.id === run.id)?.conclusion, 'failure');
  });

  test('a list job whose outputs pass 1 MB fails, and no build job runs', async () => {
    const { run, list } = openPullRequest(11, 'd');
    const huge = JSON.stringify(Array.from({ length: 70_000 }, (_, i) => `py313-port-number-${i}`));
    assert.ok(Buffer.byteLength(huge) > MAX_JOB_OUTPUT_BYTES);
    await runJob(list, () => 'success', { ports: huge, chunks: '[]', 'chunk-count': '0', count: '70000' });
    await finished(run.id);
    assert.deepEqual(double.jobs().filter((j) => j.runId === run.id).map((j) => [j.jobKey, j.conclusion]), [['list', 'failure'], ['build', 'skipped'], ['build-chunk', 'skipped']]);
  });
});
