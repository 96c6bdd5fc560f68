import assert from 'node:assert/strict';
import { request } from 'node:http';
import { beforeEach, test } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { Registry } from 'prom-client';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import type { WebhookContext } from '../../controller/github/translate-webhook.ts';
import { serveWebhookHandlerPerFile } from './serve-webhook-handler.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

/**
 * GitHub delivers at least once, and redelivers by hand: what the operator's log and GitHub's
 * delivery page show for a delivery seen before (taken, ignored or refused for its shape), and
 * for one the controller failed to take (its store failing, its sender gone mid-body).
 */

const SECRET = 'it-is-a-secret';
const signer = new Webhooks({ secret: SECRET });
const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };

/** A store whose claims fail, as SQLite does when the disk is full. */
class FailingStore extends MemoryDeliveryStore {
  override claim(): boolean {
    throw new Error('database or disk is full');
  }
}

let handler: WebhookHandler;
let store: MemoryDeliveryStore;
let farm: RecordingFarm;
let logged: ReturnType<typeof captureLog>;
let rejections: EventRejections;

function mount(s: MemoryDeliveryStore = new MemoryDeliveryStore(), within: WebhookContext = context): void {
  store = s;
  farm = new RecordingFarm();
  logged = captureLog();
  rejections = new EventRejections({ registry: new Registry(), log: captureLog().log });
  handler = createWebhookHandler({ secret: SECRET, store, farm, context: within, log: logged.log, rejections });
}

const served = serveWebhookHandlerPerFile(() => handler);
beforeEach(() => { mount(); });

function push(modified: readonly string[]): Record<string, unknown> {
  const payload = webhookExample('push', 4);
  Object.assign((payload.commits as Record<string, unknown>[])[0] ?? {}, { added: [], removed: [], modified });
  return payload;
}

async function post(payload: unknown, guid: string): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(payload);
  const response = await fetch(`http://127.0.0.1:${String(served.port())}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': guid, 'x-hub-signature-256': await signer.sign(body) },
    body,
  });
  return { status: response.status, body: await response.json() };
}

const lines = (): unknown[] => logged.entries.map((e) => [e.level, e.msg, e.deliveryId]);

test('a redelivered push is answered 200 duplicate and logged as such; its watcher is asked for once', async () => {
  assert.deepEqual(await post(push(['net/curl/Portfile']), 'd-1'), { status: 202, body: { delivery: 'd-1', result: 'queued' } });
  await handler.idle();
  assert.deepEqual(await post(push(['net/curl/Portfile']), 'd-1'), { status: 200, body: { delivery: 'd-1', result: 'duplicate' } });
  await handler.idle();
  assert.equal(farm.calls.length, 1);
  // A push naming only ports is taken without the warning about directories that are not port names.
  assert.deepEqual(lines(), [
    ['info', 'delivery processed', 'd-1'],
    ['info', 'duplicate delivery ignored', 'd-1'],
  ]);
});

test('a delivery refused for its shape is logged with why, kept as failed for good, and its redelivery is a duplicate, not a second refusal', async () => {
  const broken = push(['net/curl/Portfile']);
  delete broken.after;
  const refused = await post(broken, 'b-1');
  assert.equal(refused.status, 400);
  assert.deepEqual(logged.entries.map((e) => [e.level, e.msg, (e.err as { message?: string } | undefined)?.message]), [
    ['error', 'delivery refused: payload has the wrong shape', 'push payload is not what GitHub sends: after: Invalid input: expected string, received undefined'],
  ]);
  assert.deepEqual(await post(broken, 'b-1'), { status: 200, body: { delivery: 'b-1', result: 'duplicate' } });
  assert.deepEqual(store.unprocessed(), []);
  assert.equal(logged.entries.filter((e) => e.level === 'error').length, 1, 'refused once');
});

test('a delivery that needs no action is answered 202 ignored with the reason in the log, and its redelivery is a duplicate', async () => {
  assert.deepEqual(await post(push(['README.md']), 'i-1'), { status: 202, body: { delivery: 'i-1', result: 'ignored', reason: 'push touches no port directory' } });
  assert.deepEqual(logged.entries.map((e) => [e.level, e.msg, e.reason]), [['debug', 'delivery needs no action', 'push touches no port directory']]);
  assert.deepEqual(await post(push(['README.md']), 'i-1'), { status: 200, body: { delivery: 'i-1', result: 'duplicate' } });
  assert.deepEqual(logged.entries.at(-1), { level: 'info', deliveryId: 'i-1', event: 'push', msg: 'duplicate delivery ignored' });
});

test('a delivery the store cannot take is answered 500, so GitHub shows it failed, and the error is logged', async () => {
  mount(new FailingStore());
  assert.deepEqual(await post(push(['net/curl/Portfile']), 'f-1'), { status: 500, body: { error: 'portfarm failed to take the delivery; GitHub will show it failed' } });
  assert.deepEqual(logged.entries.map((e) => [e.level, e.msg, (e.err as { message?: string } | undefined)?.message]), [['error', 'webhook handler failed', 'database or disk is full']]);
  assert.deepEqual(farm.calls, []);
});

test('a fault in the controller itself while reading a delivery is answered 500, not kept as the sender\'s bad payload: a redelivery is taken', async () => {
  const broken: WebhookContext = {
    repo: context.repo,
    workflow: context.workflow,
    get platforms(): readonly string[] {
      throw new TypeError('platforms not loaded');
    },
  };
  mount(new MemoryDeliveryStore(), broken);
  const kept = store;
  assert.deepEqual(await post(push(['net/curl/Portfile']), 't-1'), { status: 500, body: { error: 'portfarm failed to take the delivery; GitHub will show it failed' } });
  assert.deepEqual(logged.entries.map((e) => [e.level, e.msg, (e.err as { message?: string } | undefined)?.message]), [['error', 'webhook handler failed', 'platforms not loaded']]);
  assert.equal(kept.has('t-1'), false, 'not recorded: GitHub\'s redelivery is not a duplicate');
  mount(kept);
  assert.deepEqual(await post(push(['net/curl/Portfile']), 't-1'), { status: 202, body: { delivery: 't-1', result: 'queued' } });
  await handler.idle();
  assert.equal(farm.calls.length, 1);
});

test('a sender gone half-way through its body is logged as a failure to take it, not counted as a refusal', async () => {
  const body = JSON.stringify(push(['net/curl/Portfile']));
  const gone = new Promise<void>((resolve) => {
    const req = request({
      host: '127.0.0.1', port: served.port(), path: '/webhooks', method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-github-event': 'push', 'x-github-delivery': 'g-1', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
    });
    req.on('error', () => { resolve(); });
    req.write(body.slice(0, 100), () => {
      setTimeout(() => { req.destroy(); }, 50);
    });
  });
  await gone;
  for (let i = 0; i < 100 && logged.entries.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  // Node says `aborted` or the reader says how far it got, by timing: either way an error, not a refusal.
  assert.deepEqual(logged.entries.map((e) => [e.level, e.msg]), [['error', 'webhook handler failed']]);
  assert.equal(await rejections.count('webhook-too-large'), 0);
  assert.equal(store.has('g-1'), false);
});
