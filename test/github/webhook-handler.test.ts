import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import type { DeliveryStore } from '../../controller/github/delivery-store.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

const SECRET = 'it-is-a-secret';
const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64', '14_x86_64'] };
const signer = new Webhooks({ secret: SECRET });

/** The real push example (to master, README.md), changed to touch two ports, a resource and the workflow. */
function portPush(): Record<string, unknown> {
  const push = webhookExample('push', 4);
  const commits = push.commits as Record<string, unknown>[];
  Object.assign(commits[0] ?? {}, {
    added: ['net/curl/files/patch-a.diff'],
    modified: ['python/py-six/Portfile', '_resources/port1.0/group/python-1.0.tcl', '.github/workflows/ports.yml', 'README.md'],
    removed: [],
  });
  return push;
}

interface Posted {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

describe('webhook handler', () => {
  let server: Server;
  let url: string;
  let farm: RecordingFarm;
  let store: DeliveryStore;
  let handler: WebhookHandler;
  let logged: ReturnType<typeof captureLog>;

  const mount = (s: DeliveryStore): void => {
    store = s;
    farm = new RecordingFarm();
    logged = captureLog();
    handler = createWebhookHandler({ secret: SECRET, store, farm, context, log: logged.log, now: () => new Date('2026-11-26T06:00:00Z') });
  };

  const post = async (event: string, payload: unknown, headers: { guid?: string; signature?: string | null } = {}): Promise<Posted> => {
    const body = JSON.stringify(payload);
    const signature = headers.signature === undefined ? await signer.sign(body) : headers.signature;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': headers.guid ?? crypto.randomUUID(),
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/webhooks') handler.handle(req, res);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));
  beforeEach(() => { mount(new MemoryDeliveryStore()); });
  afterEach(() => handler.close());

  test('a signed push to the default branch → 202, one watcher per platform with the ports it touched', async () => {
    const answer = await post('push', portPush(), { guid: 'd-1' });
    assert.deepEqual(answer, { status: 202, body: { delivery: 'd-1', result: 'queued' } });
    await handler.idle();
    assert.deepEqual(
      farm.calls.map((c) => [c.method, c.arg.deliveryId, 'platform' in c.arg ? c.arg.platform : '', 'changedPorts' in c.arg ? c.arg.changedPorts : []]),
      [
        ['onPush', 'd-1', '15_arm64', ['curl', 'py-six']],
        ['onPush', 'd-1', '14_x86_64', ['curl', 'py-six']],
      ],
    );
    assert.deepEqual(store.unprocessed(), []);
    assert.deepEqual(logged.entries.at(-1), { level: 'info', deliveryId: 'd-1', event: 'push', calls: ['onPush', 'onPush'], msg: 'delivery processed' });
  });

  test('bad or missing signature → 401 and nothing changes; a replayed delivery → 200 duplicate, no second watcher', async () => {
    assert.equal((await post('push', portPush(), { guid: 'd-bad', signature: 'sha256=' + '0'.repeat(64) })).status, 401);
    const missing = await post('push', portPush(), { guid: 'd-none', signature: null });
    assert.deepEqual(missing, { status: 401, body: { error: 'missing X-Hub-Signature-256; set the webhook secret in the GitHub App settings' } });
    assert.equal(store.has('d-bad') || store.has('d-none'), false);
    assert.equal((await post('push', portPush(), { guid: 'd-2' })).status, 202);
    const replay = await post('push', portPush(), { guid: 'd-2' });
    assert.deepEqual(replay, { status: 200, body: { delivery: 'd-2', result: 'duplicate' } });
    await handler.idle();
    assert.equal(farm.calls.length, 2, 'one watcher per platform, once');
  });

  test('pushes that touch no port, tags and other branches are answered 202 and ignored with the reason', async () => {
    const readme = webhookExample('push', 4);
    assert.deepEqual((await post('push', readme, { guid: 'r' })).body, { delivery: 'r', result: 'ignored', reason: 'push touches no port directory' });
    assert.deepEqual((await post('push', webhookExample('push', 0), { guid: 't' })).body, { delivery: 't', result: 'ignored', reason: 'push to refs/tags/simple-tag, not the default branch master' });
    const other = portPush();
    other.ref = 'refs/heads/feature';
    assert.deepEqual((await post('push', other, { guid: 'f' })).body, { delivery: 'f', result: 'ignored', reason: 'push to refs/heads/feature, not the default branch master' });
    await handler.idle();
    assert.deepEqual(farm.calls, []);
  });

  test('a payload without the fields portfarm reads → 400 naming them, recorded as a permanent failure', async () => {
    const broken = portPush();
    delete broken.after;
    const answer = await post('push', broken, { guid: 'b-1' });
    assert.deepEqual(answer, { status: 400, body: { delivery: 'b-1', error: 'push payload is not what GitHub sends: after: Invalid input: expected string, received undefined' } });
    assert.equal(store.has('b-1'), true);
    assert.deepEqual(store.unprocessed(), []);
  });

  test('pull_request opened → one PR watcher per platform with head and base', async () => {
    const pr = webhookExample('pull_request', 'opened');
    await post('pull_request', pr, { guid: 'p-1' });
    await handler.idle();
    const pull = pr.pull_request as { head: { sha: string }; base: { sha: string } };
    assert.deepEqual(farm.calls.map((c) => c.arg), context.platforms.map((platform) => ({
      deliveryId: 'p-1', kind: 'pr-watcher', platform, portsRevision: pull.head.sha, previousRevision: pull.base.sha, changedPorts: [], prNumber: pr.number, receivedAt: new Date('2026-11-26T06:00:00Z'),
    })));
  });

  test('workflow_job with a portfarm-build label → onWorkflowJob with the build id; other jobs ignored', async () => {
    const job = webhookExample('workflow_job', 'queued');
    assert.deepEqual((await post('workflow_job', job, { guid: 'j-0' })).body.reason, 'job of a run portfarm did not dispatch (no portfarm-build-<id> label)');
    (job.workflow_job as { labels: string[] }).labels = ['self-hosted', 'portfarm-build-b42'];
    await post('workflow_job', job, { guid: 'j-1' });
    await handler.idle();
    const wj = job.workflow_job as { id: number; run_id: number; run_attempt: number; workflow_name: string; head_branch: string; runner_id: number; runner_name: string; started_at: string };
    const repository = job.repository as { id: number; full_name: string };
    assert.deepEqual(farm.calls.map((c) => c.arg), [{
      deliveryId: 'j-1', buildId: 'b42', runId: wj.run_id, runAttempt: wj.run_attempt, repositoryId: repository.id, repository: repository.full_name, workflowName: wj.workflow_name, headBranch: wj.head_branch,
      jobId: wj.id, action: 'queued', labels: ['self-hosted', 'portfarm-build-b42'],
      runnerId: wj.runner_id, runnerName: wj.runner_name, conclusion: null, failedStep: null, at: new Date(wj.started_at),
    }]);
  });

  test('a job without portfarm\'s label that one of portfarm\'s runners took still reaches the farm (its VM must go)', async () => {
    const job = webhookExample('workflow_job', 'queued');
    const wj = job.workflow_job as { labels: string[]; runner_name: string; run_attempt: number };
    wj.labels = ['self-hosted', '15_arm64'];
    wj.runner_name = 'portfarm-b42-1-abcd';
    await post('workflow_job', job, { guid: 'j-2' });
    await handler.idle();
    assert.deepEqual(farm.calls.map((c) => c.arg).map((a) => ('buildId' in a ? [a.buildId, 'runnerName' in a ? a.runnerName : null] : null)), [[null, 'portfarm-b42-1-abcd']]);
  });

  test('a failing farm call is logged, recorded retryable, and resumed — never reported as done', async () => {
    farm.failNext = Object.assign(new Error('queue store locked'), { retryable: true });
    assert.equal((await post('push', portPush(), { guid: 'x-1' })).status, 202);
    await handler.idle();
    assert.deepEqual(store.unprocessed().map((d) => [d.guid, d.state, d.error]), [['x-1', 'failed', 'queue store locked']]);
    // The operator reads when it is tried again: a minute after the first failure.
    assert.deepEqual(logged.entries.filter((e) => e.level === 'error').map((e) => [e.deliveryId, e.msg, e.retryable, e.retryAt]), [['x-1', 'delivery failed', true, '2026-11-26T06:01:00.000Z']]);
    assert.equal(handler.resumeUnprocessed(), 1);
    await handler.idle();
    assert.deepEqual(store.unprocessed(), []);
    assert.equal(farm.calls.length, 2);
  });

  test('SQLite store: a delivery claimed before a crash is still claimed after it, and unprocessed work resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-deliveries-'));
    try {
      const path = join(dir, 'state.sqlite');
      const first = new SqliteDeliveryStore(path);
      assert.equal(first.claim({ guid: 'g-1', event: 'push', body: JSON.stringify(portPush()), receivedAt: new Date('2026-11-26T05:00:00Z') }), true);
      assert.equal(first.claim({ guid: 'g-1', event: 'push', body: '{}', receivedAt: new Date() }), false);
      first.close();
      const reopened = new SqliteDeliveryStore(path);
      mount(reopened);
      assert.deepEqual((await post('push', portPush(), { guid: 'g-1' })).body, { delivery: 'g-1', result: 'duplicate' });
      assert.equal(handler.resumeUnprocessed(), 1);
      await handler.idle();
      assert.deepEqual(farm.calls.map((c) => c.arg.deliveryId), ['g-1', 'g-1']);
      assert.deepEqual(reopened.unprocessed(), []);
      assert.deepEqual(reopened.lastReceivedAt(), new Date('2026-11-26T05:00:00Z'));
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
