import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { UserError } from '../errors/user-error.ts';
import type { HandoffRequest, HandoffResponse } from '../handoff/create-port-list-handler.ts';
import { BodyTooLargeError, readBody } from '../http/read-body.ts';
import { createRouter, type Routes } from './http-routes.ts';

export interface ControllerHttpOptions {
  readonly host: string;
  readonly port: number;
  /** `POST /webhooks`: the webhook handler reads and answers the request itself. */
  readonly webhook: (req: IncomingMessage, res: ServerResponse) => void;
  /** `POST /api/port-list`: the hand-off handler, given the body read here (capped). */
  readonly portList: (request: HandoffRequest) => Promise<HandoffResponse>;
  /** `GET /api/status` and `GET /api/events` (server-sent). */
  readonly status: (req: IncomingMessage, res: ServerResponse) => void;
  readonly metrics: Registry;
  readonly log: Logger;
}

export interface ControllerHttp {
  readonly url: string;
  /** Stops listening and drops open connections (event streams). */
  close(): Promise<void>;
}

/**
 * A port list with its distfile checksums: a full rebuild lists ~42,000 names with ~1.3
 * distfiles of ~170 bytes each, about 10 MB; this is above any real one and far below harm.
 */
export const PORT_LIST_MAX_BYTES = 32_000_000;

/** The controller's route table: every HTTP entry point in one place. */
export function controllerRoutes(options: Omit<ControllerHttpOptions, 'host' | 'port'>): Routes {
  const { metrics } = options;
  return {
    'POST /webhooks': (req, res) => { options.webhook(req, res); },
    'POST /api/port-list': async (req, res) => {
      let body: string;
      try {
        body = await readBody(req, PORT_LIST_MAX_BYTES);
      } catch (caught) {
        if (!(caught instanceof BodyTooLargeError)) throw caught;
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${caught.message}; a port list with its distfile checksums is at most about 10 MB`, retryable: false }));
        return;
      }
      const answer = await options.portList({ headers: req.headers, body });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    },
    'GET /api/status': (req, res) => { options.status(req, res); },
    'GET /api/events': (req, res) => { options.status(req, res); },
    'GET /metrics': async (_req, res) => {
      res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
    },
    'GET /healthz': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'); },
  };
}

/**
 * The controller's HTTP server: `POST /webhooks`, `POST /api/port-list`, `GET /api/status`,
 * `GET /api/events`, `GET /metrics`, `GET /healthz`. Resolves once listening; a port in use is
 * a UserError naming the address.
 */
export async function listenControllerHttp(options: ControllerHttpOptions): Promise<ControllerHttp> {
  const router = createRouter(controllerRoutes(options), (error, route) => { options.log.error({ err: error, route }, 'request failed'); });
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
