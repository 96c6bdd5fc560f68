import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { EventRejections } from '../github/event-rejections.ts';
import { InFlightLimit } from '../http/in-flight-limit.ts';
import { BodyTooLargeError, declaredTooLarge, readBody } from '../http/read-body.ts';
import { refuseUnread } from '../http/refuse-unread.ts';
import type { HandoffRequest, HandoffResponse } from './create-port-list-handler.ts';

/**
 * The largest port list taken. A full rebuild lists every MacPorts port and subport (41,548
 * at 70b44a4, 2026-08: 0.7 MB of names) with their distfile checksums (~1.3 distfiles of ~170
 * bytes each): about 10 MB; this is above any real one and far below harm.
 */
export const MAX_PORT_LIST_BYTES = 32_000_000;

/** `Authorization: Bearer <token>` as the watcher sends it (a JWT: three base64url parts). */
const BEARER = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/i;

export interface PortListRouteOptions {
  readonly handle: (request: HandoffRequest) => Promise<HandoffResponse>;
  readonly rejections: EventRejections;
  readonly log: Logger;
  readonly maxBytes?: number;
  /** Lists read at once (default 4: at most 4 × 32 MB held); past it 503 with Retry-After, which the action retries. */
  readonly inFlight?: InFlightLimit;
}

/**
 * `POST /api/port-list` on node:http: a request without a well-formed bearer token, or one
 * that declares a body over the cap, is answered before its body is read; the body is then read
 * up to the cap and handed to the verifying handler (the token's signature, then the list).
 */
export function createPortListRoute(options: PortListRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_PORT_LIST_BYTES;
  const inFlight = options.inFlight ?? new InFlightLimit(4);
  return async (req, res) => {
    const subject = req.socket.remoteAddress ?? '?';
    const refuse = (reason: string, status: number, error: string): void => {
      options.rejections.reject(reason, subject, { status });
      refuseUnread(res, status, { error, retryable: false });
    };
    const authorization = req.headers.authorization;
    if (authorization === undefined || !BEARER.test(authorization)) {
      refuse('port-list-no-token', 401, "no bearer token: the watcher must send its job's OIDC token (Authorization: Bearer <token>)");
      return;
    }
    const declared = declaredTooLarge(req, maxBytes);
    if (declared !== null) {
      refuse('port-list-too-large', 413, `body larger than ${maxBytes} bytes (${declared} declared); a port list with its distfile checksums is at most about 10 MB`);
      return;
    }
    const release = inFlight.tryEnter();
    if (release === null) {
      options.log.warn({ inFlight: inFlight.max }, 'port list refused: too many being read; the action retries');
      refuseUnread(res, 503, { error: `${inFlight.max} port lists are being read; retry later`, retryable: true }, { 'retry-after': '5' });
      return;
    }
    let body: string;
    try {
      body = await readBody(req, maxBytes);
    } catch (caught) {
      if (!(caught instanceof BodyTooLargeError)) throw caught;
      refuse('port-list-too-large', 413, `${caught.message}; a port list with its distfile checksums is at most about 10 MB`);
      return;
    } finally {
      release();
    }
    const answer = await options.handle({ headers: req.headers, body });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
}
