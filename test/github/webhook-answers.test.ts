import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { before, test } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { captureLog } from './capture-log.ts';
import { serveWebhookHandlerPerFile } from './serve-webhook-handler.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

/**
 * The webhook endpoint with its default limits, as GitHub meets it: every answer is JSON saying
 * so, a big delivery being read does not hold up a small one beside it, and idle() means idle.
 */

const SECRET = 'it-is-a-secret';
const signer = new Webhooks({ secret: SECRET });
const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };

let handler: WebhookHandler;
let farm: RecordingFarm;
const store = new MemoryDeliveryStore();
/** Resolves with each request once the handler has been given it (and has reserved its place, if it reads its body). */
let handed: ((req: IncomingMessage) => void) | null = null;
const served = serveWebhookHandlerPerFile(() => handler, { onHanded: (req) => handed?.(req) });

before(() => {
  farm = new RecordingFarm();
  handler = createWebhookHandler({ secret: SECRET, store, farm, context, log: captureLog().log });
});

function portPush(padding = ''): string {
  const push = webhookExample('push', 4);
  Object.assign((push.commits as Record<string, unknown>[])[0] ?? {}, { added: [], removed: [], modified: ['net/curl/Portfile'] });
  return JSON.stringify(padding === '' ? push : { ...push, padding });
}

async function post(body: string, guid: string, signature?: string): Promise<{ status: number; type: string | null; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${String(served.port())}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': guid, 'x-hub-signature-256': signature ?? await signer.sign(body) },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

test('every answer, taken or refused, is JSON and says so', async () => {
  const body = portPush();
  const taken = await post(body, 'a-1');
  assert.deepEqual(taken, { status: 202, type: 'application/json', body: { delivery: 'a-1', result: 'queued' } });
  assert.deepEqual([(await post(body, 'a-1')).status, (await post(body, 'a-1')).type], [200, 'application/json']);
  const forged = await post(body, 'a-2', `sha256=${'0'.repeat(64)}`);
  assert.deepEqual([forged.status, forged.type], [401, 'application/json']);
  await handler.idle();
});

test('with the default limits, a small delivery is taken while a 1 MiB one is still being read, and then that one too', async () => {
  const big = portPush('x'.repeat(1024 * 1024));
  const signature = await signer.sign(big);
  const entered = new Promise<IncomingMessage>((resolve) => { handed = resolve; });
  const held = request({
    host: '127.0.0.1', port: served.port(), path: '/webhooks', method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big), 'x-github-event': 'push', 'x-github-delivery': 'big-1', 'x-hub-signature-256': signature },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    held.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', reject);
    });
    held.on('error', reject);
  });
  held.write(big.slice(0, 1024));
  await entered;
  handed = null;
  try {
    const small = await post(portPush(), 'small-1');
    assert.deepEqual([small.status, small.body], [202, { delivery: 'small-1', result: 'queued' }], 'the bytes in flight hold a big body and small ones beside it');
  } finally {
    held.end(big.slice(1024));
  }
  const bigAnswer = await answered;
  assert.deepEqual([bigAnswer.status, JSON.parse(bigAnswer.body)], [202, { delivery: 'big-1', result: 'queued' }]);
  await handler.idle();
  assert.deepEqual(farm.calls.map((c) => c.arg.deliveryId).sort(), ['a-1', 'big-1', 'small-1']);
});

test('deliveries are worked on one at a time, and idle() waits for every queued one, not only the one being worked on', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  farm.react = async (call) => {
    // The first is held until both are queued; the second takes a moment of its own.
    if (call.arg.deliveryId === 'q-1') await gate;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  };
  try {
    assert.equal((await post(portPush(), 'q-1')).status, 202);
    assert.equal((await post(portPush(), 'q-2')).status, 202);
    // One at a time, in arrival order (the default concurrency): the second waits for the first.
    assert.deepEqual(farm.calls.map((c) => c.arg.deliveryId).filter((id) => id.startsWith('q-')), ['q-1']);
    const idle = handler.idle();
    release();
    await idle;
    assert.deepEqual(store.unprocessed(), [], 'both deliveries were worked on when idle() resolved');
    assert.deepEqual(farm.calls.map((c) => c.arg.deliveryId).filter((id) => id.startsWith('q-')), ['q-1', 'q-2']);
  } finally {
    release();
    farm.react = null;
  }
});
