import type { IncomingMessage, ServerResponse } from 'node:http';
import { coerceError } from '../errors/coerce-error.ts';
import { badTargetMessage, requestUrl } from '../http/request-url.ts';
import { StatusBroadcast } from './status-broadcast.ts';
import type { StatusFeed } from './status-feed.ts';
import { statusSnapshotSchema } from './status-snapshot.ts';

export interface StatusHandlerOptions {
  /** Comment line sent on idle event streams so proxies keep them open (default 15 s). */
  readonly heartbeatMs?: number;
  /** Told about snapshots that fail the schema or feeds that throw (the answer is a 500). */
  readonly onError?: (error: Error) => void;
  /** Open event streams at most (default 100); past it `GET /api/events` answers 503 with Retry-After. */
  readonly maxEventStreams?: number;
  /** An event stream whose unsent output passes this is closed (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Told when a stream is refused for the cap or closed for not reading. */
  readonly onStreamRefused?: (why: 'too-many-streams' | 'slow-reader', detail: number) => void;
}

/** Answers a request, or returns false when the path is not the status API's (the caller routes on). */
export type StatusRequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const PATHS = new Set(['/api/status', '/api/events']);

/**
 * `GET /api/status`: the snapshot as JSON. `GET /api/events`: Server-Sent Events, one
 * `event: status` with the snapshot at once and again whenever it changes (identical
 * snapshots are not resent). Every snapshot is checked against the shared schema first, so a
 * controller bug shows as a 500 naming the bad field, not as a TUI that cannot parse. The
 * streams share one StatusBroadcast: a change is validated and serialised once for all of them.
 */
export function createStatusRequestHandler(feed: StatusFeed, options: StatusHandlerOptions = {}): StatusRequestHandler {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const report = options.onError ?? (() => undefined);
  const readJson = (): string => {
    const parsed = statusSnapshotSchema.safeParse(feed.getSnapshot());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`status snapshot does not match the schema at ${issue?.path.map(String).join('.') ?? '?'}: ${issue?.message ?? ''}`);
    }
    return JSON.stringify(parsed.data);
  };
  const maxStreams = options.maxEventStreams ?? 100;
  const broadcast = new StatusBroadcast(feed, {
    maxStreams,
    heartbeatMs,
    readJson,
    onError: report,
    ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
    onSlowStream: (bytes) => options.onStreamRefused?.('slow-reader', bytes),
  });
  return (req, res) => {
    const url = requestUrl(req, 'http://status.invalid');
    if (url === null) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: badTargetMessage(req) }));
      return true;
    }
    const path = url.pathname;
    if (!PATHS.has(path)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ error: `${req.method ?? '?'} ${path}: use GET` }));
      return true;
    }
    if (path === '/api/events' && req.method === 'GET' && !broadcast.hasRoom) {
      options.onStreamRefused?.('too-many-streams', maxStreams);
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: `${maxStreams} event streams are open (controller.maxEventStreams); retry later or poll GET /api/status` }));
      return true;
    }
    let json: string;
    try {
      json = readJson();
    } catch (caught) {
      const error = coerceError(caught);
      report(error);
      res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ error: error.message }));
      return true;
    }
    if (path === '/api/status') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : json);
      return true;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx buffers responses unless told not to; an event stream must not be buffered.
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') res.end();
    else broadcast.attach(res, json);
    return true;
  };
}
