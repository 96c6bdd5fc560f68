import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SettableStatusFeed } from '../../controller/status/settable-status-feed.ts';
import { createStatusRequestHandler } from '../../controller/status/status-request-handler.ts';
import { startStatusServer } from '../../controller/status/status-server.ts';
import { runStatusPoller } from '../../controller/tui/run-status-poller.ts';
import { StatusStore } from '../../controller/tui/status-store.ts';
import { waitFor } from './render-dashboard.ts';
import { busyFarm, emptyFarm } from './status-fixtures.ts';

async function listen(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

test('follows the event stream: the store changes when the controller publishes, without polling', async () => {
  const feed = new SettableStatusFeed(busyFarm());
  const server = await startStatusServer(feed);
  const store = new StatusStore(server.url, 0, 2000);
  const abort = new AbortController();
  // A 60 s interval: any update seen within the test came from the event stream.
  const poller = runStatusPoller({ url: server.url, store, signal: abort.signal, intervalMs: 60_000 });
  await waitFor(() => store.getSnapshot().mode === 'events' && feed.subscribers === 1, 'the stream is open');
  assert.deepEqual(store.getSnapshot().snapshot, busyFarm());
  feed.publish(emptyFarm());
  await waitFor(() => store.getSnapshot().snapshot?.hosts.length === 0, 'the published snapshot arrives');
  abort.abort();
  await poller;
  await waitFor(() => feed.subscribers === 0, 'the stream closes when the poller stops');
  await server.close();
});

test('a controller without /api/events is polled instead', async () => {
  const feed = new SettableStatusFeed(busyFarm());
  const handle = createStatusRequestHandler(feed);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/api/events' || !handle(req, res)) res.writeHead(404).end();
  });
  const url = await listen(server);
  const store = new StatusStore(url, 0, 20);
  const abort = new AbortController();
  const poller = runStatusPoller({ url, store, signal: abort.signal, intervalMs: 20 });
  await waitFor(() => store.getSnapshot().mode === 'polling', 'the poller falls back to polling');
  feed.publish(emptyFarm());
  await waitFor(() => store.getSnapshot().snapshot?.hosts.length === 0, 'a later poll sees the change');
  abort.abort();
  await poller;
  assert.deepEqual(requests.slice(0, 3), ['/api/status', '/api/events', '/api/status']);
  assert.equal(requests.filter((r) => r === '/api/events').length, 1, 'the event stream is asked for once');
  await stop(server);
});

test('an unreachable controller is reported with its URL and retried until it answers', async () => {
  const probe = createServer();
  const url = await listen(probe);
  await stop(probe); // nothing listens on this port now
  const store = new StatusStore(url, 0, 20);
  const abort = new AbortController();
  const poller = runStatusPoller({ url, store, signal: abort.signal, intervalMs: 20 });
  await waitFor(() => (store.getSnapshot().problem?.attempts ?? 0) >= 2, 'two failed attempts');
  const { problem } = store.getSnapshot();
  assert.equal(problem?.problem, `cannot reach the controller at ${url}/api/status (ECONNREFUSED)`);
  assert.equal(problem.hint, 'start the controller (portfarm serve) or pass --url (default: controller.host/port in the config)');
  const feed = new SettableStatusFeed(busyFarm());
  const server = createServer((req, res) => {
    if (!createStatusRequestHandler(feed)(req, res)) res.writeHead(404).end();
  });
  await listen(server, Number(new URL(url).port));
  await waitFor(() => store.getSnapshot().problem === null && store.getSnapshot().snapshot !== null, 'the poller recovers');
  abort.abort();
  await poller;
  await stop(server);
});

test('sends the status token on the snapshot request and the event stream', async () => {
  const feed = new SettableStatusFeed(busyFarm());
  const server = await startStatusServer(feed, { token: 'poller-token' });
  const store = new StatusStore(server.url, 0, 2000);
  const abort = new AbortController();
  const poller = runStatusPoller({ url: server.url, token: 'poller-token', store, signal: abort.signal, intervalMs: 60_000 });
  await waitFor(() => store.getSnapshot().mode === 'events' && feed.subscribers === 1, 'the stream is open with the token');
  feed.publish(emptyFarm());
  await waitFor(() => store.getSnapshot().snapshot?.hosts.length === 0, 'the published snapshot arrives');
  abort.abort();
  await poller;
  await server.close();
});
