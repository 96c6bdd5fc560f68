import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import type { HandoffRequest } from '../../controller/handoff/create-port-list-handler.ts';
import { createPortListRoute } from '../../controller/handoff/port-list-route.ts';
import { InFlightLimit } from '../../controller/http/in-flight-limit.ts';
import { rawPost } from '../security/raw-post.ts';

/** Shaped like a GitHub OIDC token: the route checks the shape only, the handler the signature. */
const JWT_SHAPED = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

interface Route {
  readonly url: string;
  readonly handled: HandoffRequest[];
  readonly inFlight: InFlightLimit;
  /** Every log line, parsed. */
  readonly lines: readonly Record<string, unknown>[];
  readonly metrics: () => Promise<string>;
  /** What the route threw (the controller's server answers those 500 and logs them). */
  readonly thrown: readonly unknown[];
}

/** The route alone on a node:http server, its handler answering 202; closed on every path. */
async function withRoute(options: { readonly maxLists: number; readonly maxBytes?: number }, body: (route: Route) => Promise<void>): Promise<void> {
  const handled: HandoffRequest[] = [];
  const inFlight = new InFlightLimit(options.maxLists);
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
  const registry = new Registry();
  const route = createPortListRoute({
    handle: (request) => {
      handled.push(request);
      return Promise.resolve({ status: 202, headers: { 'content-type': 'application/json' }, body: '{"builders":1}' });
    },
    rejections: new EventRejections({ registry, log }),
    log,
    inFlight,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  const thrown: unknown[] = [];
  const server: Server = createServer((req, res) => {
    route(req, res).catch((caught: unknown) => {
      thrown.push(caught);
      res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await body({ url: `http://127.0.0.1:${String(port)}`, handled, inFlight, lines, metrics: () => registry.metrics(), thrown });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  }
}

const post = (url: string, bodyBytes: number, extra: Partial<Parameters<typeof rawPost>[0]> = {}): ReturnType<typeof rawPost> =>
  rawPost({ url, path: '/api/port-list', headers: { 'content-type': 'application/json', authorization: JWT_SHAPED }, bodyBytes, ...extra });

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) throw new Error(`waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a list gives its place back once its body is read: more lists than the cap, one after another, are all handed on', async () => {
  await withRoute({ maxLists: 1 }, async ({ url, handled, inFlight }) => {
    for (let n = 0; n < 3; n += 1) {
      const answer = await post(url, 100);
      assert.equal(answer.status, 202, answer.text);
    }
    assert.equal(handled.length, 3);
    assert.equal(handled[0]?.body, ' '.repeat(100));
    assert.equal(inFlight.current, 0);
  });
});

test('past the cap a list is refused unread with 503, Retry-After 5 and retryable, and logged; the one being read is still taken', async () => {
  await withRoute({ maxLists: 1 }, async ({ url, handled, inFlight, lines, metrics }) => {
    let resume = (): void => undefined;
    const held = post(url, 1000, { holdAfter: 0, resume: new Promise<void>((resolve) => { resume = resolve; }) });
    await until(() => inFlight.current === 1, 'the first list to take its place');
    const refused = await post(url, 100);
    assert.equal(refused.status, 503, refused.text);
    assert.match(refused.text, /^retry-after: 5$/im);
    assert.ok(refused.text.includes(JSON.stringify({ error: '1 port lists are being read; retry later', retryable: true })), refused.text);
    assert.ok(lines.some((l) => l.level === 40 && l.inFlight === 1), JSON.stringify(lines));
    // A busy controller is not an attack: nothing is counted against the caller.
    assert.doesNotMatch(await metrics(), /portfarm_events_rejected_total\{/);
    resume();
    assert.equal((await held).status, 202);
    assert.equal((await post(url, 100)).status, 202);
    assert.equal(handled.length, 2);
  });
});

test('without a bearer token 401, over the cap 413: each counted by its reason, not retryable, never handed on', async () => {
  await withRoute({ maxLists: 1, maxBytes: 1000 }, async ({ url, handled, inFlight, metrics: read, lines }) => {
    const noToken = await rawPost({ url, path: '/api/port-list', headers: {}, bodyBytes: 10 });
    assert.equal(noToken.status, 401, noToken.text);
    assert.match(noToken.text, /"retryable":false/);
    const declared = await post(url, 1001);
    assert.equal(declared.status, 413, declared.text);
    const streamed = await post(url, 5000, { declareLength: false });
    assert.ok(streamed.status === 413 || streamed.status === 0, streamed.text);
    await until(() => inFlight.current === 0, 'the streamed list to give its place back');
    const metrics = await read();
    assert.match(metrics, /^portfarm_events_rejected_total\{reason="port-list-no-token"\} 1$/m);
    assert.match(metrics, /^portfarm_events_rejected_total\{reason="port-list-too-large"\} 2$/m);
    // Each refusal is logged against the address that sent it.
    assert.ok(lines.some((l) => l.reason === 'port-list-no-token' && l.subject === '127.0.0.1'), JSON.stringify(lines));
    assert.equal(handled.length, 0);
    assert.equal((await post(url, 100)).status, 202);
  });
});

test('a client that hangs up half-way is not counted as an oversized list: the read error reaches the server, and the place is given back', async () => {
  await withRoute({ maxLists: 1 }, async ({ url, inFlight, metrics, thrown, handled }) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    await once(socket, 'connect');
    socket.write(`POST /api/port-list HTTP/1.1\r\nhost: ${hostname}\r\ncontent-length: 1000\r\nauthorization: ${JWT_SHAPED}\r\n\r\n${' '.repeat(10)}`);
    await until(() => inFlight.current === 1, 'the list to take its place');
    socket.destroy();
    await until(() => thrown.length === 1, 'the read error to reach the server');
    assert.match(String(thrown[0]), /aborted|closed the connection/);
    assert.doesNotMatch(await metrics(), /portfarm_events_rejected_total\{/);
    assert.equal(inFlight.current, 0);
    assert.equal(handled.length, 0);
  });
});
