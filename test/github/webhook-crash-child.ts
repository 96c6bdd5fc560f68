/**
 * The controller's webhook intake in its own process, so it can die at a crash point
 * (PORTFARM_CRASH_AT: webhook-claimed, delivery-worked): one signed push to the default branch
 * touching a port, posted to the handler over HTTP. The deliveries are in `<dir>/deliveries.db`
 * and each farm call is appended to `<dir>/farm.ndjson`, so both outlive the process. argv: <dir>.
 */
import { appendFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { Webhooks } from '@octokit/webhooks';
import { createWebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import { RecordingFarm } from './recording-farm.ts';
import { CRASH_CONTEXT, CRASH_SECRET, crashPush } from './webhook-crash-push.ts';

const dir = process.argv[2] ?? '';
const farm = new RecordingFarm();
farm.react = (call) => {
  appendFileSync(join(dir, 'farm.ndjson'), `${JSON.stringify({ method: call.method, deliveryId: call.arg.deliveryId })}\n`);
  return Promise.resolve();
};
const handler = createWebhookHandler({
  secret: CRASH_SECRET,
  store: new SqliteDeliveryStore(join(dir, 'deliveries.db')),
  farm,
  context: CRASH_CONTEXT,
  log: pino({ level: 'silent' }),
  now: () => new Date('2026-11-26T06:00:00Z'),
});
const server = createServer((req, res) => {
  handler.handle(req, res);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const body = JSON.stringify(crashPush());
const response = await fetch(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-crash', 'x-hub-signature-256': await new Webhooks({ secret: CRASH_SECRET }).sign(body) },
  body,
});
await response.text();
await handler.idle();
await handler.close();
server.close();
process.stdout.write(`no crash: answered ${String(response.status)}\n`);
