import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hasBearerToken } from '../http/bearer-token.ts';
import type { StatusFeed } from './status-feed.ts';
import { createStatusRequestHandler, type StatusHandlerOptions } from './status-request-handler.ts';

export interface StatusServerOptions extends StatusHandlerOptions {
  readonly host?: string;
  /** 0 (default) picks a free port; see `url`. */
  readonly port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  readonly token?: string;
  /** Aborting closes the server and every open event stream. */
  readonly signal?: AbortSignal;
}

export interface RunningStatusServer {
  /** `http://host:port`, what `portfarm tui --url` takes. */
  readonly url: string;
  /** Stops listening and ends open event streams; calling it twice returns the same promise. */
  readonly close: () => Promise<void>;
}

/**
 * A small HTTP server with only the status API (404 elsewhere): for the demo, for tests, and
 * for a controller that serves its status on a separate port. A controller with its own
 * server mounts `createStatusRequestHandler` instead.
 */
export async function startStatusServer(feed: StatusFeed, options: StatusServerOptions = {}): Promise<RunningStatusServer> {
  const handle = createStatusRequestHandler(feed, options);
  const server = createServer((req, res) => {
    if (options.token !== undefined && !hasBearerToken(req, options.token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: 'no or wrong status token: send Authorization: Bearer <token>' }));
      return;
    }
    if (!handle(req, res)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no such path; the status API is GET /api/status and GET /api/events` }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      // Event streams never end by themselves.
      server.closeAllConnections();
    });
    return closing;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  return { url: `http://${host}:${address.port}`, close };
}
