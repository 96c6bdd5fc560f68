import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { beforeEach, test } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { Registry } from 'prom-client';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { InFlightLimit } from '../../controller/http/in-flight-limit.ts';
import { serveWebhookHandlerPerFile } from './serve-webhook-handler.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

/**
 * What the operator sees of a refused webhook: the answer GitHub shows on the delivery, the
 * trust boundary's count by reason (`portfarm_events_rejected_total{reason}`) and its log line
 * naming the delivery (or, without one, where the post came from), and the handler's own line.
 */

const SECRET = 'it-is-a-secret';
const signer = new Webhooks({ secret: SECRET });
const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };

let handler: WebhookHandler;
let store: MemoryDeliveryStore;
let rejections: EventRejections;
let rejectionLog: ReturnType<typeof captureLog>;
let handlerLog: ReturnType<typeof captureLog>;
/** The headers of the last answer `post` read. */
let answerHeaders: IncomingHttpHeaders = {};

function mount(maxBodyBytes?: number, inFlight?: InFlightLimit): void {
  store = new MemoryDeliveryStore();
  rejectionLog = captureLog();
  handlerLog = captureLog();
  rejections = new EventRejections({ registry: new Registry(), log: rejectionLog.log });
  handler = createWebhookHandler({
    secret: SECRET, store, farm: new RecordingFarm(), context, log: handlerLog.log, rejections,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(inFlight === undefined ? {} : { inFlight }),
  });
}

const served = serveWebhookHandlerPerFile(() => handler);
beforeEach(() => { mount(); });

const body = (): string => {
  const push = webhookExample('push', 4);
  Object.assign((push.commits as Record<string, unknown>[])[0] ?? {}, { added: [], removed: [], modified: ['net/curl/Portfile'] });
  return JSON.stringify(push);
};

/**
 * A post with exactly these headers (fetch would add a content type of its own). The body goes
 * out only if no answer came first: a refusal before the body closes the connection unread, and
 * a body still being written then meets a reset instead of the answer.
 */
function post(headers: OutgoingHttpHeaders, text = body(), method = 'POST'): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const length = headers['transfer-encoding'] === 'chunked' ? {} : { 'content-length': Buffer.byteLength(text) };
    const req = request({ host: '127.0.0.1', port: served.port(), path: '/webhooks', method, agent: false, headers: { ...length, ...headers } }, (res) => {
      answered = true;
      answerHeaders = res.headers;
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { answer += chunk; });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(answer) as unknown });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.flushHeaders();
    setTimeout(() => {
      if (!answered) req.end(text);
    }, 300).unref();
  });
}

const signed = async (text: string, extra: OutgoingHttpHeaders = {}): Promise<OutgoingHttpHeaders> => ({
  'content-type': 'application/json',
  'x-github-event': 'push',
  'x-github-delivery': 'g-1',
  'x-hub-signature-256': extra['x-hub-signature-256'] ?? await signer.sign(text),
  ...extra,
});

/** The refusal as the operator reads it: the count of its reason, the trust boundary's line, the handler's line. */
async function refusal(reason: string): Promise<unknown[]> {
  return [
    await rejections.count(reason),
    rejectionLog.entries.map((e) => [e.msg, e.reason, e.subject, e.deliveryId, e.status]),
    handlerLog.entries.map((e) => [e.level, e.msg, e.reason, e.deliveryId]),
  ];
}

test('an unsigned delivery is refused 401, counted as webhook-unsigned and logged naming the delivery; nothing is stored', async () => {
  const text = body();
  const headers = await signed(text);
  delete headers['x-hub-signature-256'];
  assert.deepEqual(await post(headers, text), { status: 401, body: { error: 'missing X-Hub-Signature-256; set the webhook secret in the GitHub App settings' } });
  const error = 'missing X-Hub-Signature-256; set the webhook secret in the GitHub App settings';
  assert.deepEqual(await refusal('webhook-unsigned'), [
    1,
    [['event rejected: webhook-unsigned', 'webhook-unsigned', 'delivery g-1', 'g-1', 401]],
    [['warn', `webhook refused before reading its body: ${error}`, 'webhook-unsigned', 'g-1']],
  ]);
  assert.equal(store.has('g-1'), false);
});

test('a signature header not of the sha256=<hex> form is refused before its body is read, as a bad signature', async () => {
  const text = body();
  for (const signature of ['sha1=0123456789abcdef0123456789abcdef01234567', `sha256=${'g'.repeat(64)}`, `sha256=${'0'.repeat(63)}`]) {
    mount();
    const error = "bad X-Hub-Signature-256: not sha256=<64 hex digits>; the App's webhook secret must be set (github.webhookSecretEnv)";
    assert.deepEqual(await post(await signed(text, { 'x-hub-signature-256': signature }), text), { status: 401, body: { error } }, signature);
    assert.deepEqual(await refusal('webhook-bad-signature'), [
      1,
      [['event rejected: webhook-bad-signature', 'webhook-bad-signature', 'delivery g-1', 'g-1', 401]],
      [['warn', `webhook refused before reading its body: ${error}`, 'webhook-bad-signature', 'g-1']],
    ]);
  }
});

test('without a delivery id (header missing or empty) the refusal names where the post came from', async () => {
  const text = body();
  for (const guid of [undefined, '']) {
    mount();
    const headers = await signed(text);
    if (guid === undefined) delete headers['x-github-delivery'];
    else headers['x-github-delivery'] = guid;
    assert.deepEqual(await post(headers, text), { status: 400, body: { error: 'X-GitHub-Event and X-GitHub-Delivery headers are required' } });
    assert.deepEqual(await refusal('webhook-no-delivery-headers'), [
      1,
      [['event rejected: webhook-no-delivery-headers', 'webhook-no-delivery-headers', '127.0.0.1', guid, 400]],
      [['warn', 'webhook refused before reading its body: X-GitHub-Event and X-GitHub-Delivery headers are required', 'webhook-no-delivery-headers', guid]],
    ]);
  }
  // Without an event, but with its delivery id: the refusal names the delivery.
  mount();
  const headers = await signed(text);
  delete headers['x-github-event'];
  assert.equal((await post(headers, text)).status, 400);
  assert.deepEqual(rejectionLog.entries.map((e) => e.subject), ['delivery g-1']);
});

test('another content type is refused 415 and a body declared over the limit 413, both before a byte is read', async () => {
  const text = body();
  const typeError = 'content type "application/x-www-form-urlencoded" is not application/json; set the App\'s webhook content type to application/json';
  assert.deepEqual(await post(await signed(text, { 'content-type': 'application/x-www-form-urlencoded' }), text), { status: 415, body: { error: typeError } });
  assert.deepEqual(await refusal('webhook-content-type'), [
    1,
    [['event rejected: webhook-content-type', 'webhook-content-type', 'delivery g-1', 'g-1', 415]],
    [['warn', `webhook refused before reading its body: ${typeError}`, 'webhook-content-type', 'g-1']],
  ]);
  mount(1024);
  const sizeError = `body larger than 1024 bytes (${String(Buffer.byteLength(text))} declared; GitHub caps payloads at 25 MB)`;
  assert.deepEqual(await post(await signed(text), text), { status: 413, body: { error: sizeError } });
  assert.deepEqual(await refusal('webhook-too-large'), [
    1,
    [['event rejected: webhook-too-large', 'webhook-too-large', 'delivery g-1', 'g-1', 413]],
    [['warn', `webhook refused before reading its body: ${sizeError}`, 'webhook-too-large', 'g-1']],
  ]);
  assert.equal(store.has('g-1'), false);
});

test('a body over the limit that did not declare its size is refused 413 once read that far', async () => {
  mount(1024);
  const text = body();
  const error = 'body larger than 1024 bytes (GitHub caps payloads at 25 MB)';
  assert.deepEqual(await post(await signed(text, { 'transfer-encoding': 'chunked' }), text), { status: 413, body: { error } });
  assert.deepEqual(await refusal('webhook-too-large'), [
    1,
    [['event rejected: webhook-too-large', 'webhook-too-large', 'delivery g-1', 'g-1', 413]],
    [['warn', `webhook refused before reading its body: ${error}`, 'webhook-too-large', 'g-1']],
  ]);
  assert.equal(store.has('g-1'), false);
});

test('a signature that does not match the body, or an empty body whatever its signature, is refused 401 and counted', async () => {
  const text = body();
  const forgeries: [string, string][] = [
    [text, await signer.sign(`${text} `)],
    // The signature check throws on an empty body rather than saying false: still a refusal, never a pass.
    ['', `sha256=${'0'.repeat(64)}`],
    ['', await signer.sign('x')],
  ];
  for (const [sent, signature] of forgeries) {
    mount();
    const answer = await post(await signed(sent, { 'x-hub-signature-256': signature }), sent);
    assert.deepEqual(answer, { status: 401, body: { error: "bad X-Hub-Signature-256: the App's webhook secret differs from portfarm's (github.webhookSecretEnv)" } }, JSON.stringify(sent));
    assert.deepEqual(await rejections.count('webhook-bad-signature'), 1);
    assert.deepEqual(rejectionLog.entries.map((e) => [e.msg, e.subject, e.deliveryId]), [['event rejected: webhook-bad-signature', 'delivery g-1', 'g-1']]);
    assert.deepEqual(handlerLog.entries.map((e) => [e.level, e.msg, e.deliveryId]), [['warn', 'webhook with a bad signature refused', 'g-1']]);
    assert.equal(store.has('g-1'), false);
  }
});

test('while the bodies being read hold the in-flight limit, a delivery is answered 503 with Retry-After and the operator is told', async () => {
  const limit = new InFlightLimit(1, 4096);
  mount(undefined, limit);
  const held = limit.tryEnter(10);
  const text = body();
  assert.deepEqual(await post(await signed(text), text), { status: 503, body: { error: 'deliveries being read hold the limit (1 bodies, 4096 bytes); retry later' } });
  assert.equal(answerHeaders['retry-after'], '5');
  assert.deepEqual(handlerLog.entries.map((e) => [e.level, e.msg, e.deliveryId, e.inFlight, e.bytes]), [
    ['warn', 'webhook refused: too many bodies or bytes being read; GitHub redelivers', 'g-1', 1, 10],
  ]);
  assert.equal(store.has('g-1'), false);
  held?.();
  assert.deepEqual(await post(await signed(text), text), { status: 202, body: { delivery: 'g-1', result: 'queued' } });
  assert.equal(limit.current, 0, 'the body read gives its place back');
  await handler.idle();
});

test('a GET is answered 405 and a delivery after close() 503, neither stored', async () => {
  const text = body();
  assert.deepEqual(await post(await signed(text), text, 'GET'), { status: 405, body: { error: 'webhooks are POSTed' } });
  assert.equal(store.has('g-1'), false);
  await handler.close();
  assert.deepEqual(await post(await signed(text), text), { status: 503, body: { error: 'shutting down; GitHub will show this delivery as failed and portfarm recovers it on start' } });
  assert.equal(store.has('g-1'), false);
});
