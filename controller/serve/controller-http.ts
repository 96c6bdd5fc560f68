import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { UserError } from '../errors/user-error.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import type { HandoffRequest, HandoffResponse } from '../handoff/create-port-list-handler.ts';
import { createPortListRoute } from '../handoff/port-list-route.ts';
import { requireBearerToken } from '../http/bearer-token.ts';
import { createRouter, type Routes } from './http-routes.ts';

export interface ControllerHttpOptions {
  readonly host: string;
  readonly port: number;
  /** `POST /webhooks`: the webhook handler reads and answers the request itself. */
  readonly webhook: (req: IncomingMessage, res: ServerResponse) => void;
  /** `POST /api/port-list`: the hand-off handler, given the body read here (a bearer token first, capped). */
  readonly portList: (request: HandoffRequest) => Promise<HandoffResponse>;
  /** `GET /api/status` and `GET /api/events` (server-sent). */
  readonly status: (req: IncomingMessage, res: ServerResponse) => void;
  /** `GET /api/eta?port=P[&platform=X]`: a port's estimated builds (behind the status token, like the status). */
  readonly eta: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** `GET /api/eta/public?port=P[&platform=X]`: the estimates a check shows, without the token, rate-limited; absent: not served. */
  readonly etaPublic?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** `GET /api/eta/snapshot`: every queued builder's estimate (behind the status token). */
  readonly etaSnapshot: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  readonly metrics: Registry;
  /** What `/api/status`, `/api/events` and `/metrics` require (they show host addresses), and the variable it comes from. */
  readonly statusToken: { readonly value: string; readonly env: string };
  /** Where refused requests are counted and logged. */
  readonly rejections: EventRejections;
  readonly log: Logger;
}

export interface ControllerHttp {
  readonly url: string;
  /** Stops listening and drops open connections (event streams). */
  close(): Promise<void>;
}

/** The controller's route table: every HTTP entry point in one place. */
export function controllerRoutes(options: Omit<ControllerHttpOptions, 'host' | 'port'>): Routes {
  const { metrics, rejections } = options;
  // Status and metrics show host addresses and the queue: behind the status token, never open.
  const guarded = (handler: Parameters<typeof requireBearerToken>[3]): Parameters<typeof requireBearerToken>[3] =>
    requireBearerToken(options.statusToken.value, options.statusToken.env, (req, why) => { rejections.reject(`status-token-${why}`, req.socket.remoteAddress ?? '?', { path: req.url }); }, handler);
  return {
    'POST /webhooks': (req, res) => { options.webhook(req, res); },
    'POST /api/port-list': createPortListRoute({ handle: options.portList, rejections, log: options.log.child({ component: 'handoff' }) }),
    'GET /api/status': guarded((req, res) => { options.status(req, res); }),
    'GET /api/events': guarded((req, res) => { options.status(req, res); }),
    'GET /api/eta': guarded(async (req, res) => { await options.eta(req, res); }),
    // Open to anyone: only what a queued check shows, rate-limited, from the last projection (docs/security.md).
    ...(options.etaPublic === undefined ? {} : { 'GET /api/eta/public': options.etaPublic }),
    'GET /api/eta/snapshot': guarded(async (req, res) => { await options.etaSnapshot(req, res); }),
    'GET /metrics': guarded(async (_req, res) => {
      res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
    }),
    'GET /healthz': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'); },
  };
}

/**
 * The controller's HTTP server: `POST /webhooks`, `POST /api/port-list`, `GET /api/status`,
 * `GET /api/events`, `GET /api/eta`, `GET /api/eta/public`, `GET /api/eta/snapshot`, `GET /metrics`, `GET /healthz`. Resolves once listening; a port in use is
 * a UserError naming the address.
 */
export async function listenControllerHttp(options: ControllerHttpOptions): Promise<ControllerHttp> {
  const router = createRouter(
    controllerRoutes(options),
    (error, route) => { options.log.error({ err: error, route }, 'request failed'); },
    (req) => { options.rejections.reject('bad-request-target', req.socket.remoteAddress ?? '?', { target: (req.url ?? '').slice(0, 200) }); },
  );
  const server = createServer((req, res) => void router(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => { reject(new UserError(`cannot listen on ${options.host}:${String(options.port)}: ${error.message}`, { cause: error })); });
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${String(address.port)}`,
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }),
  };
}
