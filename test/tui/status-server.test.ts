import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SettableStatusFeed } from '../../controller/status/settable-status-feed.ts';
import { createStatusRequestHandler } from '../../controller/status/status-request-handler.ts';
import { startStatusServer } from '../../controller/status/status-server.ts';
import type { StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { SseParser, type ServerSentEvent } from '../../controller/tui/sse-parser.ts';
import { waitFor } from './render-dashboard.ts';
import { busyFarm, emptyFarm } from './status-fixtures.ts';

/** Opens /api/events and collects its events until `close` is called. */
async function openEvents(url: string): Promise<{ events: ServerSentEvent[]; close: () => void; response: Response }> {
  const abort = new AbortController();
  const response = await fetch(`${url}/api/events`, { signal: abort.signal });
  const events: ServerSentEvent[] = [];
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const body = response.body;
  assert.ok(body !== null);
  void (async () => {
    try {
      for await (const chunk of body) events.push(...parser.feed(decoder.decode(chunk, { stream: true })));
    } catch {
      // aborted by close()
    }
  })();
  return { events, response, close: () => { abort.abort(); } };
}

test('GET /api/status answers the current snapshot as JSON, uncached', async () => {
  const feed = new SettableStatusFeed(busyFarm());
  const server = await startStatusServer(feed);
  const response = await fetch(`${server.url}/api/status`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await response.json(), busyFarm());
  await server.close();
});

test('GET /api/events sends the snapshot at once, then each change once, and unsubscribes on disconnect', async () => {
  const feed = new SettableStatusFeed(busyFarm());
  const server = await startStatusServer(feed);
  const stream = await openEvents(server.url);
  assert.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  await waitFor(() => stream.events.length === 1, 'the first event');
  feed.publish(busyFarm()); // same content: not resent
  feed.publish(emptyFarm());
  await waitFor(() => stream.events.length === 2, 'the change event');
  assert.deepEqual(
    stream.events.map((e) => ({ event: e.event, data: JSON.parse(e.data) as StatusSnapshot })),
    [
      { event: 'status', data: busyFarm() },
      { event: 'status', data: emptyFarm() },
    ],
  );
  assert.equal(feed.subscribers, 1);
  stream.close();
  await waitFor(() => feed.subscribers === 0, 'the server unsubscribes the closed stream');
  await server.close();
});

test('a snapshot that breaks the schema is a 500 naming the field, reported, never sent half-valid', async () => {
  const broken = { ...busyFarm(), hosts: [{ name: 'mac-mini-1' }] } as unknown as StatusSnapshot;
  const errors: string[] = [];
  const server = await startStatusServer(new SettableStatusFeed(broken), { onError: (e) => errors.push(e.message) });
  const response = await fetch(`${server.url}/api/status`);
  assert.equal(response.status, 500);
  const expected = 'status snapshot does not match the schema at hosts.0.address: Invalid input: expected string, received undefined';
  assert.deepEqual(await response.json(), { error: expected });
  assert.deepEqual(errors, [expected]);
  await server.close();
});

test('other methods get 405 with Allow; other paths are left to the caller (404 on the standalone server)', async () => {
  const server = await startStatusServer(new SettableStatusFeed(busyFarm()));
  const post = await fetch(`${server.url}/api/status`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  const other = await fetch(`${server.url}/webhooks`);
  assert.equal(other.status, 404);
  await other.body?.cancel();
  await post.body?.cancel();
  await server.close();

  // Mounted in a server of its own, the handler says false for paths that are not its own.
  const handle = createStatusRequestHandler(new SettableStatusFeed(busyFarm()));
  const host = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(200).end('the controller answers this');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const { port } = host.address() as AddressInfo;
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/webhooks`)).text(), 'the controller answers this');
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/status`)).status, 200);
  host.closeAllConnections();
  await new Promise((resolve) => host.close(resolve));
});

test('close() ends open event streams and returns the same promise twice', async () => {
  const feed = new SettableStatusFeed(busyFarm());
  const server = await startStatusServer(feed);
  const stream = await openEvents(server.url);
  await waitFor(() => stream.events.length === 1, 'the first event');
  const closing = server.close();
  assert.equal(server.close(), closing);
  await closing;
  await waitFor(() => feed.subscribers === 0, 'the stream is gone');
  stream.close();
});
