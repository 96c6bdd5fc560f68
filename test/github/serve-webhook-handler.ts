import { after, before } from 'node:test';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookHandler } from '../../controller/github/create-webhook-handler.ts';

/**
 * For a test file: one loopback HTTP server for the whole file, answering with whatever handler
 * `current()` gives at the time of each request (test files mount a fresh one per test), closed
 * with that handler after the file's tests. `port()` is the server's port once it listens.
 * `onHanded` sees each request right after the handler was given it (and has reserved its place,
 * if it reads its body): a test can act while a body is still arriving.
 */
export function serveWebhookHandlerPerFile(current: () => WebhookHandler, options: { readonly onHanded?: (req: IncomingMessage) => void } = {}): { readonly port: () => number } {
  const server = createServer((req, res) => {
    current().handle(req, res);
    options.onHanded?.(req);
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
