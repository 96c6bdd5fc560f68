import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Webhooks } from '@octokit/webhooks';
import { createWebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { captureLog } from '../github/capture-log.ts';
import { RecordingFarm } from '../github/recording-farm.ts';
import { webhookExample } from '../github/webhook-fixtures.ts';

const SECRET = 'it-is-a-secret';
const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };

/** The real push example, changed to touch these paths. */
function pushTouching(paths: readonly string[]): Record<string, unknown> {
  const push = webhookExample('push', 4);
  Object.assign((push.commits as Record<string, unknown>[])[0] ?? {}, { added: [...paths], modified: [], removed: [] });
  return push;
}

/**
 * The controller's side of port names from text: a push's paths become the watcher's
 * `portlist` input. A directory that is not a port name is not queued, and the operator sees
 * it in the log (or in the ignored delivery's reason) instead of the port silently never building.
 */
test('a push\'s directory names that are not port names are never queued and are logged', async (t) => {
  const farm = new RecordingFarm();
  const logged = captureLog();
  const handler = createWebhookHandler({ secret: SECRET, store: new MemoryDeliveryStore(), farm, context, log: logged.log, now: () => new Date('2026-11-26T06:00:00Z') });
  t.after(() => handler.close());
  const server = createServer((req, res) => {
    handler.handle(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  const signer = new Webhooks({ secret: SECRET });
  const post = async (guid: string, payload: unknown): Promise<Record<string, unknown>> => {
    const body = JSON.stringify(payload);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': guid, 'x-hub-signature-256': await signer.sign(body) },
      body,
    });
    return (await response.json()) as Record<string, unknown>;
  };

  assert.deepEqual(await post('p-1', pushTouching(['net/curl/Portfile', 'net/--archive-site=x/Portfile', 'net/a b/files/p.diff', 'net/-x/Portfile'])), { delivery: 'p-1', result: 'queued' });
  await handler.idle();
  assert.deepEqual(farm.calls.map((c) => ('changedPorts' in c.arg ? c.arg.changedPorts : null)), [['curl']]);
  const warned = logged.entries.find((e) => e.msg === 'push names directories that are not port names; they are not built');
  assert.deepEqual((warned?.['notPortNames'] as { name: string }[] | undefined)?.map((r) => r.name), ['--archive-site=x', '-x', 'a b']);

  const only = await post('p-2', pushTouching(['net/--archive-site=x/Portfile']));
  assert.equal(only.result, 'ignored');
  assert.equal(only.reason, 'push touches no port directory named like a port: port name "--archive-site=x" starts with "-": a command would read it as an option');
  await handler.idle();
  assert.equal(farm.calls.length, 1, 'nothing queued for a push of only bad names');
});
