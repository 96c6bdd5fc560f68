import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

/**
 * The controller's shutdown, as its webhook side sees it: the first SIGTERM lets the delivery
 * being worked on finish (close() resolves after it, and the delivery is done), the second stops
 * it at once (its work aborted, the delivery left failed for the next start to try again).
 */

const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };

function portPush(): string {
  const push = webhookExample('push', 4);
  Object.assign((push.commits as Record<string, unknown>[])[0] ?? {}, { added: [], removed: [], modified: ['net/curl/Portfile'] });
  return JSON.stringify(push);
}

/** A handler working on one delivery (resumed from its store) whose farm call waits on `react`. */
async function working(react: RecordingFarm['react']): Promise<{ handler: WebhookHandler; store: MemoryDeliveryStore; logged: ReturnType<typeof captureLog> }> {
  const store = new MemoryDeliveryStore();
  const farm = new RecordingFarm();
  farm.react = react;
  const logged = captureLog();
  const handler = createWebhookHandler({ secret: 's', store, farm, context, log: logged.log });
  store.claim({ guid: 'd-1', event: 'push', body: portPush(), receivedAt: new Date('2026-11-26T06:00:00Z') });
  assert.equal(handler.resumeUnprocessed(), 1);
  await farm.waitFor(() => true);
  return { handler, store, logged };
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), sleep(ms).then(() => false)]);
}

test('close() waits for the delivery being worked on, which then is done', async () => {
  const gate = Promise.withResolvers<undefined>();
  const { handler, store } = await working(() => gate.promise);
  const closing = handler.close();
  assert.equal(await settlesWithin(closing, 200), false, 'not closed while the delivery is worked on');
  assert.deepEqual(store.unprocessed().map((d) => d.guid), ['d-1']);
  gate.resolve(undefined);
  assert.equal(await settlesWithin(closing, 5000), true, 'closed once it is done');
  assert.deepEqual(store.unprocessed(), []);
});

test('a second close() aborts the delivery being worked on: closed at once, the delivery left failed for the next start', async () => {
  const { handler, store, logged } = await working((_call, signal) => new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => { reject(signal.reason as Error); }, { once: true });
  }));
  const first = handler.close();
  assert.equal(await settlesWithin(first, 200), false, 'the first close lets the work go on');
  assert.deepEqual(logged.entries.filter((e) => e.level === 'error'), []);
  const second = handler.close();
  assert.equal(await settlesWithin(second, 5000), true, 'the second close ends it');
  assert.equal(await settlesWithin(first, 100), true);
  assert.deepEqual(store.unprocessed().map((d) => [d.guid, d.state, d.attempts, d.error]), [['d-1', 'failed', 1, 'webhook handler closed twice: aborting queued work']]);
});

test('close() with nothing to do resolves at once; idle() too', async () => {
  const handler = createWebhookHandler({ secret: 's', store: new MemoryDeliveryStore(), farm: new RecordingFarm(), context, log: captureLog().log });
  assert.equal(await settlesWithin(handler.idle(), 100), true);
  assert.equal(await settlesWithin(handler.close(), 100), true);
});
