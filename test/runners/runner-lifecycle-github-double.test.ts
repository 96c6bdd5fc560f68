import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createAppAuth } from '@octokit/auth-app';
import { Webhooks } from '@octokit/webhooks';
import { Octokit } from 'octokit';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import { buildLabel } from '../../controller/model/build-id.ts';
import { FakeVmBackend } from '../../controller/runners/backends/fake-vm-backend.ts';
import { GithubRunnerRegistry } from '../../controller/runners/github-runner-registry.ts';
import { RunnerManager } from '../../controller/runners/runner-manager.ts';
import { parseWorkflowJobEvent } from '../../controller/model/workflow-job-event.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { portsWorkflow, type WorkflowModel } from '../github-double/ports-workflow.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';
import { PLATFORM_15 } from './runner-farm.ts';

const SECRET = 'runner-lifecycle-secret';

/** ports.yml as committed: runs-on [self-hosted, <platform>, portfarm-build-<id>]. */
const portsWithPlatformLabel: WorkflowModel = {
  ...portsWorkflow,
  jobs: (inputs) => portsWorkflow.jobs(inputs).map((job) => ({ ...job, runsOn: ['self-hosted', inputs.platform ?? '', buildLabel(inputs.build_id ?? '')] })),
};

let double: GitHubDouble;
let receiver: Server;
let manager: RunnerManager;
let backend: FakeVmBackend;
let octokit: Octokit;
const events: string[] = [];
// Closed newest first by after(), each even if another's close throws or before() stopped half-way.
const opened = new AsyncDisposableStack();

before(async () => {
  const webhooks = new Webhooks({ secret: SECRET });
  receiver = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      if (!(await webhooks.verify(body, String(req.headers['x-hub-signature-256'])))) {
        res.writeHead(401).end();
        return;
      }
      if (req.headers['x-github-event'] === 'workflow_job') {
        const event = parseWorkflowJobEvent(JSON.parse(body));
        events.push(`${event.action} ${manager.handleWorkflowJob(event)}`);
      }
      res.writeHead(202).end();
    })();
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  opened.defer(() => new Promise<void>((resolve) => receiver.close(() => { resolve(); })));
  double = opened.adopt(await startGitHubDouble({
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`,
    webhookSecret: SECRET,
    workflows: { 'ports.yml': portsWithPlatformLabel },
  }), (d) => d.close());
  octokit = new Octokit({
    baseUrl: double.url,
    authStrategy: createAppAuth,
    auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  backend = new FakeVmBackend({
    images: ['macos-15-base'],
    bootMs: 5,
    // The VM "runs" run.sh --jitconfig: the double's runner stand-in connects, takes its job, exits.
    onRunnerStart: async (encodedJitConfig, _vmId, signal) => {
      const exit = await startRunnerStandIn({ encodedJitConfig, signal }).exited;
      return exit.conclusion === null ? 1 : 0;
    },
  });
  manager = new RunnerManager({
    platforms: [PLATFORM_15],
    backends: { fake: backend },
    registry: new GithubRunnerRegistry({ octokit, repo: `${double.owner}/${double.repo}` }),
    logger: pino({ level: 'silent' }),
    // The run the controller dispatched for the build: here, the double's run whose build_id input names it.
    recordedRunOf: (buildId) => {
      const run = double.runs().find((r) => r.inputs['build_id'] === buildId);
      return run === undefined ? null : { runId: run.id, runAttempt: null };
    },
    rejections: new EventRejections({ registry: new Registry(), log: pino({ level: 'silent' }) }),
    watchdogIntervalMs: 20,
    reconcileIntervalMs: 0,
  });
  await manager.start();
  opened.defer(() => manager.stop());
});

after(() => opened.disposeAsync());

test('GitHub double: dispatched run → queued webhook → VM + JIT runner → job succeeds → VM and registration gone', async () => {
  const dispatched = await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
    owner: double.owner,
    repo: double.repo,
    workflow_id: 'ports.yml',
    ref: 'master',
    inputs: { platform: '15_arm64', portname: 'curl', build_id: 'life1', ports_sha: 'abc1234' },
    return_run_details: true,
  });
  const runId = (dispatched.data as { workflow_run_id: number }).workflow_run_id;
  const run = await double.waitForRun((r) => r.id === runId && r.status === 'completed');
  await double.deliveriesSettled();
  await manager.whenSettled('life1');
  assert.equal(run.conclusion, 'success');
  assert.deepEqual(events, ['queued started', 'in_progress updated', 'completed updated']);
  const job = double.jobs().find((j) => j.runId === runId);
  assert.match(job?.runnerName ?? '', /^portfarm-life1-1-[a-z0-9]{4}$/);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(double.runners(), []);
  double.assertNoViolations();
});

test('GitHub double: two builds at once, each job on the VM made for it', async () => {
  const runIds: number[] = [];
  for (const id of ['pair1', 'pair2']) {
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner: double.owner,
      repo: double.repo,
      workflow_id: 'ports.yml',
      ref: 'master',
      inputs: { platform: '15_arm64', portname: `port-${id}`, build_id: id, ports_sha: 'abc1234' },
      return_run_details: true,
    });
    runIds.push((data as { workflow_run_id: number }).workflow_run_id);
  }
  for (const runId of runIds) await double.waitForRun((r) => r.id === runId && r.status === 'completed');
  await double.deliveriesSettled();
  await Promise.all([manager.whenSettled('pair1'), manager.whenSettled('pair2')]);
  const byRun = runIds.map((runId) => double.jobs().find((j) => j.runId === runId)?.runnerName?.split('-')[1]);
  assert.deepEqual(byRun, ['pair1', 'pair2']);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(double.runners(), []);
  double.assertNoViolations();
});
