import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startStatusServer, type RunningStatusServer } from '../../controller/status/status-server.ts';
import { SettableStatusFeed } from '../../controller/status/settable-status-feed.ts';
import { startServeHarness, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';

// Attack: HTTP lets a request name its target in absolute form (`GET http://host/path`), and
// node passes a malformed one (`http://[x/`, a port past 65535) to the handler as it came.
// `new URL` throws on it; thrown outside the router's error boundary, that was an unhandled
// rejection, and node ends the process on one: one line from anyone who can reach the
// controller's port, no token, no signature, stopped the farm. Such a request gets a 400
// naming the fix, is counted, and the controller goes on.

// In `portfarm serve` nothing catches what the router throws: node ends the process. Here the
// test runner would only hang on the unanswered request, so the throw is caught and asserted.
const thrown: unknown[] = [];
const keep = (error: unknown): void => { thrown.push(error); };
process.on('unhandledRejection', keep);
process.on('uncaughtException', keep);

const BAD_TARGETS = ['http://[x/', 'http://a:99999/api/status', 'http://%zz/webhooks', 'foo://[/'];

/** One raw request; the status line of the answer, or '' when the connection closed without one. */
function rawRequest(url: string, target: string, headers = ''): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: controller\r\n${headers}Connection: close\r\n\r\n`);
    });
    socket.setEncoding('utf8');
    // A server that threw never answers: give up after 5 s with no status line.
    socket.setTimeout(5000, () => { socket.destroy(); });
    socket.on('data', (chunk: string) => { text += chunk; });
    socket.on('close', () => { resolve(text); });
    socket.on('error', reject);
  });
}

describe('a request whose target is not a URL gets a 400, and the controller goes on', () => {
  let h: ServeHarness;
  before(async () => { h = await startServeHarness(); });
  after(async () => { await h.close(); });

  for (const target of BAD_TARGETS) {
    it(`GET ${target}`, async () => {
      const answer = await rawRequest(h.controller.url, target);
      assert.deepEqual(thrown, [], 'nothing thrown past the router (in serve: the process would end)');
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /request target .* is not a URL; send a path such as \/api\/status/);
      assert.equal((await fetch(`${h.controller.url}/healthz`)).status, 200, 'still serving');
    });
  }

  it('counts the refusals as bad-request-target', async () => {
    const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
    assert.match(metrics, new RegExp(`^portfarm_events_rejected_total\\{reason="bad-request-target"\\} ${String(BAD_TARGETS.length)}$`, 'm'));
  });
});

describe('the stand-alone status server answers such a request 400 too', () => {
  let server: RunningStatusServer;
  before(async () => { server = await startStatusServer(new SettableStatusFeed({ generatedAt: new Date(0).toISOString(), controller: { version: 't', startedAt: new Date(0).toISOString(), repo: 'o/r' }, hosts: [], runners: [], queues: [], failures: [], alerts: [] })); });
  after(async () => { await server.close(); });

  for (const target of BAD_TARGETS) {
    it(`GET ${target}`, async () => {
      const answer = await rawRequest(server.url, target);
      assert.deepEqual(thrown, [], 'nothing thrown past the handler (the process would end)');
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.equal((await fetch(`${server.url}/api/status`)).status, 200, 'still serving');
    });
  }
});
