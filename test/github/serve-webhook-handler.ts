import { after, before } from 'node:test';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookHandler } from '../../controller/github/create-webhook-handler.ts';

/**
 * For a test file: one loopback HTTP server for the whole file, answering with whatever handler
 * `current()` gives at the time of each request (test files mount a fresh one per test), closed
 * with that handler after the file's tests. `port()` is the server's port once it listens.
 */
export function serveWebhookHandlerPerFile(current: () => WebhookHandler): { readonly port: () => number } {
  const server = createServer((req, res) => {
    current().handle(req, res);
  });
  let port = 0;
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await current().close();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });
  return { port: () => port };
}
