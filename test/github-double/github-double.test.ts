import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { Webhooks } from '@octokit/webhooks';
import { startGitHubDouble, type GitHubDouble } from './github-double.ts';
import { startRunnerStandIn } from './runner-stand-in.ts';
import { createSchemaValidator } from './schema-validator.ts';

const schema = createSchemaValidator();
const SECRET = 'double-test-secret';

interface Received {
  readonly event: string;
  readonly action: string | null;
  readonly delivery: string;
  readonly payload: Record<string, unknown>;
}

/** A webhook receiver that verifies the signature like the controller will. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const webhooks = new Webhooks({ secret: SECRET });
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const ok = await webhooks.verify(body, String(req.headers['x-hub-signature-256']));
      if (!ok) {
        res.writeHead(401).end();
        return;
      }
      const payload = JSON.parse(body) as Record<string, unknown>;
      received.push({
        event: String(req.headers['x-github-event']),
        action: typeof payload.action === 'string' ? payload.action : null,
        delivery: String(req.headers['x-github-delivery']),
        payload,
      });
      res.writeHead(202).end();
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => { resolve(); })),
  };
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function appOctokit(double: GitHubDouble): Octokit {
  return new Octokit({
    baseUrl: double.url,
    log: quiet,
    authStrategy: createAppAuth,
    auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId },
  });
}

const inputs = (buildId: string, platform: string, portname = ''): Record<string, string> => ({ platform, portname, build_id: buildId, ports_sha: 'abc1234' });

describe('GitHub double', () => {
  let double: GitHubDouble;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let octokit: Octokit;
  const owner = 'macports';
  const repo = 'macports-ports';

  // Closed newest first by after(), each even if another's close throws or before() stopped half-way.
  const opened = new AsyncDisposableStack();
  before(async () => {
    receiver = opened.adopt(await startReceiver(), (r) => r.close());
    double = opened.adopt(await startGitHubDouble({ webhookUrl: receiver.url, webhookSecret: SECRET, schema }), (d) => d.close());
    octokit = appOctokit(double);
  });

  after(() => opened.disposeAsync());

  test('an App JWT gets an installation token; a wrong key gets 401 Bad credentials', async () => {
    const { data } = await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    assert.equal(data.total_count, 0);
    const stranger = new Octokit({ baseUrl: double.url, auth: 'ghs_not-a-token', log: quiet });
    await assert.rejects(stranger.rest.actions.listSelfHostedRunnersForRepo({ owner, repo }), { status: 401, message: /Bad credentials/ });
    double.assertNoViolations();
  });

  test('dispatch with return_run_details → a run named [<build id>] …, a queued job, signed webhooks', async () => {
    const { status, data } = await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner,
      repo,
      workflow_id: 'ports.yml',
      ref: 'master',
      inputs: inputs('b1', '15_arm64', 'curl'),
      return_run_details: true,
    });
    assert.equal(status, 200);
    const runId = (data as { workflow_run_id: number }).workflow_run_id;
    const run = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId });
    assert.deepEqual([run.data.name, run.data.display_title], ['ports', '[b1] curl on 15_arm64']);
    assert.equal(run.data.status, 'queued');
    const jobs = await octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: runId });
    assert.deepEqual(jobs.data.jobs.map((j) => [j.status, j.labels, j.runner_name]), [['queued', ['self-hosted', '15_arm64', 'portfarm-build-b1'], null]]);
    await double.deliveriesSettled();
    // The job's own check run (GitHub Actions' App) is created with it.
    assert.deepEqual(receiver.received.map((r) => `${r.event}.${r.action ?? ''}`), ['workflow_run.requested', 'workflow_job.queued', 'check_run.created']);
    double.assertNoViolations();
  });

  test('a JIT runner with the build label takes the job, reports steps, is removed after it', async () => {
    const jit = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: 'vm-b1', runner_group_id: 1, labels: ['portfarm-build-b1', '15_arm64', 'macos-15'] });
    assert.equal(jit.status, 201);
    await assert.rejects(
      octokit.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: 'vm-b1', runner_group_id: 1, labels: ['x'] }),
      { status: 409 },
    );
    const failing = new Set(['builder: install port']);
    const runner = startRunnerStandIn({
      encodedJitConfig: jit.data.encoded_jit_config,
      runStep: (step) => Promise.resolve(failing.has(step.name) ? 'failure' : 'success'),
    });
    await runner.online;
    const exit = await runner.exited;
    assert.equal(exit.conclusion, 'failure');
    const run = double.runs().find((r) => r.name === '[b1] curl on 15_arm64');
    assert.equal(run?.conclusion, 'failure');
    const jobs = await octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: run.id });
    assert.deepEqual(
      jobs.data.jobs[0]?.steps?.map((s) => `${s.name}: ${s.conclusion ?? ''}`),
      [
        'Set up job: success',
        'fetch mpbb: success',
        'cleanup: success',
        'selfupdate MacPorts: success',
        'sync ports tree: success',
        'watcher: list subports and hand them to the controller: skipped',
        'watcher: mirror distfiles: skipped',
        'builder: install dependencies: success',
        'builder: install port: failure',
        'builder: gather archives: skipped',
        'builder: upload archives: skipped',
        'builder: cleanup: skipped',
        'Complete job: skipped',
      ],
    );
    const runners = await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    assert.equal(runners.data.total_count, 0, 'the ephemeral runner is gone after its job');
    await double.deliveriesSettled();
    assert.deepEqual(
      receiver.received.filter((r) => r.event === 'workflow_job').map((r) => `${r.action ?? ''} ${String((r.payload.workflow_job as { runner_name: string | null }).runner_name)}`),
      ['queued null', 'in_progress vm-b1', 'completed vm-b1'],
    );
    double.assertNoViolations();
  });

  test('a runner whose labels lack one runs-on label stays idle', async () => {
    await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', { owner, repo, workflow_id: 'ports.yml', ref: 'master', inputs: inputs('b2', '14_x86_64') });
    const jit = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: 'vm-other', runner_group_id: 1, labels: ['14_x86_64', 'portfarm-build-zz'] });
    const runner = startRunnerStandIn({ encodedJitConfig: jit.data.encoded_jit_config });
    await runner.online;
    const listed = await octokit.rest.actions.getSelfHostedRunnerForRepo({ owner, repo, runner_id: jit.data.runner.id });
    assert.deepEqual([listed.data.status, listed.data.busy], ['online', false]);
    await octokit.rest.actions.deleteSelfHostedRunnerFromRepo({ owner, repo, runner_id: jit.data.runner.id });
    const exit = await runner.exited;
    assert.deepEqual([exit.jobId, exit.reason], [null, 'runner was deleted']);
    const run = double.runs().find((r) => r.inputs.build_id === 'b2');
    assert.equal(run?.status, 'queued');
    await octokit.rest.actions.cancelWorkflowRun({ owner, repo, run_id: run.id });
    assert.equal(run.conclusion, 'cancelled');
    double.assertNoViolations();
  });

  test('concurrency group: one running + one pending; a newer pending run cancels the older pending one', async () => {
    const dispatch = async (id: string): Promise<number> => {
      const { data } = await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        owner, repo, workflow_id: 'ports.yml', ref: 'master', inputs: inputs(id, '26_arm64'), return_run_details: true,
      });
      return (data as { workflow_run_id: number }).workflow_run_id;
    };
    const first = await dispatch('c1');
    const second = await dispatch('c2');
    const third = await dispatch('c3');
    const state = async (runId: number): Promise<string> => {
      const { data } = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId });
      return `${data.status ?? ''}/${data.conclusion ?? ''}`;
    };
    assert.deepEqual([await state(first), await state(second), await state(third)], ['queued/', 'completed/cancelled', 'pending/']);
    await octokit.rest.actions.forceCancelWorkflowRun({ owner, repo, run_id: first });
    assert.deepEqual([await state(first), await state(third)], ['completed/cancelled', 'queued/']);
    await octokit.rest.actions.cancelWorkflowRun({ owner, repo, run_id: third });
    await assert.rejects(octokit.rest.actions.cancelWorkflowRun({ owner, repo, run_id: third }), { status: 409 });
    double.assertNoViolations();
  });

  test('a request the schema rejects is answered 422 and recorded as a violation', async () => {
    const before = double.violations.length;
    // A plain string route: octokit's types would (rightly) refuse this body at compile time.
    const route: string = 'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig';
    await assert.rejects(
      octokit.request(route, { owner, repo, name: 'x', runner_group_id: 'one', labels: [] }),
      { status: 422 },
    );
    assert.deepEqual(double.violations.slice(before), [
      {
        where: 'request',
        operation: 'actions/generate-runner-jitconfig-for-repo',
        problems: ['/runner_group_id must be integer', '/labels must NOT have fewer than 1 items'],
      },
    ]);
    (double.violations as unknown[]).length = before;
  });

  test('the schema check catches a deliberately wrong webhook payload and response', () => {
    const payload = structuredClone(receiver.received.find((r) => r.event === 'workflow_job')?.payload) ?? {};
    delete (payload.workflow_job as Record<string, unknown>).labels;
    assert.deepEqual(schema.checkWebhook('workflow-job-queued', payload), ["/workflow_job must have required property 'labels'"]);
    assert.deepEqual(schema.checkResponse('actions/cancel-workflow-run', 204, undefined), ['status 204 is not documented for actions/cancel-workflow-run (documented: 202, 409)']);
  });

  test('webhook faults: dropped deliveries are listed as failed and can be redelivered', async () => {
    await double.deliveriesSettled();
    const seen = receiver.received.length;
    double.setWebhookFault('drop');
    const guid = double.push({ ref: 'refs/heads/master', before: 'a'.repeat(40), after: 'b'.repeat(40), commits: [] });
    double.setWebhookFault('deliver');
    await double.deliveriesSettled();
    assert.equal(receiver.received.length, seen);
    const jwtOctokit = new Octokit({ baseUrl: double.url, log: quiet, authStrategy: createAppAuth, auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '' } });
    const failed = await jwtOctokit.rest.apps.listWebhookDeliveries({ per_page: 100, status: 'failure' });
    const dropped = failed.data.find((d) => d.guid === guid);
    assert.equal(dropped?.status_code, 502);
    await jwtOctokit.rest.apps.redeliverWebhookDelivery({ delivery_id: dropped.id });
    await double.deliveriesSettled();
    assert.deepEqual(receiver.received.slice(seen).map((r) => [r.event, r.delivery]), [['push', guid]]);
    double.assertNoViolations();
  });

  test('webhook faults: duplicate sends a delivery twice with one GUID; delay holds it until released', async () => {
    await double.deliveriesSettled();
    const seen = receiver.received.length;
    double.setWebhookFault('duplicate', ['push']);
    const twice = double.push({ ref: 'refs/heads/master', before: 'a'.repeat(40), after: 'c'.repeat(40), commits: [] });
    double.setWebhookFault('delay');
    const held = double.push({ ref: 'refs/heads/master', before: 'c'.repeat(40), after: 'e'.repeat(40), commits: [] });
    await double.deliveriesSettled();
    assert.deepEqual(receiver.received.slice(seen).map((r) => r.delivery), [twice, twice]);
    double.setWebhookFault('deliver');
    double.releaseDelayedDeliveries();
    await double.deliveriesSettled();
    assert.deepEqual(receiver.received.slice(seen).map((r) => r.delivery), [twice, twice, held]);
  });

  test('HTTP faults: 502 then a secondary rate limit with retry-after', async () => {
    double.failRequests({ status: 502, times: 1, operation: 'actions/list-self-hosted-runners-for-repo' });
    const plain = new Octokit({ baseUrl: double.url, log: quiet, authStrategy: createAppAuth, auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId } });
    await assert.rejects(plain.rest.actions.listSelfHostedRunnersForRepo({ owner, repo }), { status: 502 });
    double.failRequests({ status: 403, times: 1, retryAfterSeconds: 7 });
    await assert.rejects(plain.rest.actions.listSelfHostedRunnersForRepo({ owner, repo }), (err: { status: number; response?: { headers: Record<string, string> } }) => {
      assert.equal(err.status, 403);
      assert.equal(err.response?.headers['retry-after'], '7');
      return true;
    });
    const ok = await plain.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    assert.equal(ok.status, 200);
  });
});
