import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

const SECRET = 'it-is-a-secret';
const signer = new Webhooks({ secret: SECRET });
const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };
const MAX_BODY = 64 * 1024;

let server: Server;
let url = '';
let handler: WebhookHandler;
let farm: RecordingFarm;
let path = '';
let store: SqliteDeliveryStore;

// Closed newest first by after(), each even if another's close throws or before() stopped half-way.
const opened = new AsyncDisposableStack();
before(async () => {
  path = join(mkdtempSync(join(tmpdir(), 'portfarm-webhook-bad-')), 'state.sqlite');
  store = new SqliteDeliveryStore(path);
  opened.defer(() => { store.close(); });
  farm = new RecordingFarm();
  handler = createWebhookHandler({ secret: SECRET, store, farm, context, log: captureLog().log, maxBodyBytes: MAX_BODY });
  server = createServer((req, res) => { handler.handle(req, res); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  opened.defer(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));
  opened.defer(() => handler.close());
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/webhooks`;
});
after(() => opened.disposeAsync());

/** The deliveries table as another process sees it: what a restart would resume or redeliver. */
function deliveries(): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return JSON.stringify(db.prepare('select guid, event, state, error from github_deliveries order by guid').all());
  } finally {
    db.close();
  }
}

async function post(body: string, headers: Record<string, string | null> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const all: Record<string, string | null> = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': crypto.randomUUID(),
    'x-hub-signature-256': await signer.sign(body),
    ...headers,
  };
  const sent = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null));
  const response = await fetch(url, { method: 'POST', headers: sent, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('webhooks: bad signatures, bodies, content types and sizes are refused with the reason; no delivery is stored, no farm call made', async () => {
  const push = JSON.stringify(webhookExample('push', 4));
  const before = deliveries();
  const cases: [string, Record<string, string | null>, number, RegExp][] = [
    [push, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, 401, /^bad X-Hub-Signature-256: the App's webhook secret differs from portfarm's/],
    [push, { 'x-hub-signature-256': 'sha1=abc' }, 401, /^bad X-Hub-Signature-256/],
    [push, { 'x-hub-signature-256': null }, 401, /^missing X-Hub-Signature-256; set the webhook secret/],
    ['{"ref": "refs/heads/master",', {}, 400, /^body is not JSON \(set the App webhook content type to application\/json\)/],
    [`payload=${encodeURIComponent(push)}`, { 'content-type': 'application/x-www-form-urlencoded' }, 415, /^content type "application\/x-www-form-urlencoded" is not application\/json; set the App's webhook content type to application\/json$/],
    [push, { 'x-github-event': null }, 400, /^X-GitHub-Event and X-GitHub-Delivery headers are required$/],
    [push, { 'x-github-delivery': null }, 400, /^X-GitHub-Event and X-GitHub-Delivery headers are required$/],
    [JSON.stringify({ padding: 'x'.repeat(MAX_BODY) }), {}, 413, /^body larger than 65536 bytes \(/],
  ];
  for (const [body, headers, status, error] of cases) {
    const answer = await post(body, headers);
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.match(String(answer.body.error), error);
  }
  await handler.idle();
  assert.equal(deliveries(), before, 'no delivery recorded');
  assert.deepEqual(farm.calls, []);
});

test('webhooks: a signed payload of the wrong shape is 400 naming the field, kept as a permanent failure (never redelivered); an unknown event is 202 ignored', async () => {
  const push = webhookExample('push', 4);
  delete push.repository;
  const broken = await post(JSON.stringify(push), { 'x-github-delivery': 'shape-1' });
  assert.equal(broken.status, 400);
  assert.match(String(broken.body.error), /^push payload is not what GitHub sends: repository: /);
  const unknown = await post(JSON.stringify({ zen: 'Keep it logically awesome.' }), { 'x-github-event': 'banana', 'x-github-delivery': 'unknown-1' });
  assert.deepEqual(unknown, { status: 202, body: { delivery: 'unknown-1', result: 'ignored', reason: 'banana events need no action' } });
  await handler.idle();
  assert.equal(
    deliveries(),
    JSON.stringify([
      { guid: 'shape-1', event: 'push', state: 'failed', error: broken.body.error },
      { guid: 'unknown-1', event: 'banana', state: 'processed', error: null },
    ]),
  );
  assert.deepEqual(store.unprocessed(), [], 'nothing to resume after a restart');
  assert.deepEqual(farm.calls, []);
});
