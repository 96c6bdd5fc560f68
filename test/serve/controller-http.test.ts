import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { HandoffRequest } from '../../controller/handoff/create-port-list-handler.ts';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import { MAX_PORT_LIST_BYTES } from '../../controller/handoff/port-list-route.ts';
import { listenControllerHttp } from '../../controller/serve/controller-http.ts';
import { captureLog } from '../github/capture-log.ts';

test('the controller\'s HTTP surface: each route reaches its handler; a port list over the cap is answered 413 before the hand-off sees it', async () => {
  const handed: HandoffRequest[] = [];
  const { log } = captureLog();
  const rejections = new EventRejections({ registry: new Registry(), log });
  const http = await listenControllerHttp({
    host: '127.0.0.1',
    port: 0,
    webhook: (_req, res) => { res.writeHead(202).end('webhook'); },
    portList: (request) => { handed.push(request); return Promise.resolve({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"builders":2}' }); },
    status: (_req, res) => { res.writeHead(200).end('status'); },
    eta: (_req, res) => { res.writeHead(200).end('eta'); },
    etaPublic: (_req, res) => { res.writeHead(200).end('eta public'); },
    etaSnapshot: (_req, res) => { res.writeHead(200).end('eta snapshot'); },
    metrics: new Registry(),
    statusToken: { value: 'status-token', env: 'PORTFARM_STATUS_TOKEN' },
    rejections,
    log,
  });
  try {
    const token = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const post = (path: string, body: string) => fetch(`${http.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: token } });
    assert.equal(await (await post('/webhooks', '{}')).text(), 'webhook');
    const listed = await post('/api/port-list', '{"ports":["curl"]}');
    assert.deepEqual([listed.status, await listed.text()], [200, '{"builders":2}']);
    assert.deepEqual(handed.map((r) => r.body), ['{"ports":["curl"]}']);
    const huge = await post('/api/port-list', `{"ports":["${'a'.repeat(MAX_PORT_LIST_BYTES + 1)}"]}`).catch((error: unknown) => error);
    // The server may answer 413 and close before the whole body is sent: either way the hand-off never sees it.
    if (huge instanceof Response) {
      assert.equal(huge.status, 413);
      assert.match(((await huge.json()) as { error: string }).error, /a port list with its distfile checksums is at most about 10 MB/);
    }
    assert.equal(handed.length, 1);
    const withToken = { headers: { authorization: 'Bearer status-token' } };
    assert.equal(await (await fetch(`${http.url}/api/status`, withToken)).text(), 'status');
    assert.equal((await fetch(`${http.url}/api/status`)).status, 401);
    // The ETA shows the queue too: behind the same token.
    assert.equal(await (await fetch(`${http.url}/api/eta?port=curl`, withToken)).text(), 'eta');
    assert.equal((await fetch(`${http.url}/api/eta?port=curl`)).status, 401);
    assert.equal(await (await fetch(`${http.url}/api/eta/snapshot`, withToken)).text(), 'eta snapshot');
    assert.equal((await fetch(`${http.url}/api/eta/snapshot`)).status, 401);
    // What a check shows, for the site's readers: no token (rate-limited in its handler).
    assert.equal(await (await fetch(`${http.url}/api/eta/public?port=curl`)).text(), 'eta public');
    assert.equal(await (await fetch(`${http.url}/healthz`)).text(), 'ok\n');
    assert.equal((await fetch(`${http.url}/metrics`, withToken)).status, 200);
    assert.equal((await fetch(`${http.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${http.url}/api/port-list`)).status, 405);
  } finally {
    await http.close();
  }
});

test('a taken port is a UserError naming the address', async () => {
  const { log } = captureLog();
  const statusToken = { value: 't', env: 'PORTFARM_STATUS_TOKEN' };
  const options = { host: '127.0.0.1', webhook: () => undefined, portList: () => Promise.reject(new Error('unused')), status: () => undefined, eta: () => undefined, etaSnapshot: () => undefined, metrics: new Registry(), statusToken, rejections: new EventRejections({ registry: new Registry(), log }), log };
  const first = await listenControllerHttp({ ...options, port: 0 });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(listenControllerHttp({ ...options, port }), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${String(port)}`));
  } finally {
    await first.close();
  }
});
