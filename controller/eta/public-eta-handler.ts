import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientRateLimit } from '../http/client-rate-limit.ts';
import { explainBadPortName } from '../model/port-name.ts';
import type { EtaAnswer } from './eta-answer.ts';
import { toPublicEtaAnswer } from './public-eta-answer.ts';

export interface PublicEtaOptions {
  /** FarmEta.answer: the last projection made (a new one is started at most once per platform and `reuseMs`), never one made for this request. */
  readonly answer: (port: string, platform: string | undefined, now: number) => EtaAnswer;
  readonly platforms: readonly string[];
  readonly limit: ClientRateLimit;
  readonly now: () => Date;
  /** A refused request (`reason`: `eta-public-rate-limited` or `eta-public-bad-request`), for EventRejections. */
  readonly onRefused: (reason: string, client: string, detail: string) => void;
}

/** Longest query string read; a port name is at most 128 characters, a platform far less. */
const MAX_QUERY = 512;

/**
 * `GET /api/eta/public?port=P[&platform=X]`, without the status token: the port's estimates as
 * its queued check shows them (public-eta-answer.ts), for the site's port pages to link to.
 * Rate-limited per client and in total (429 with Retry-After), answered from the last projection
 * made; anything but a port name and a platform built here is a 400 naming the fix.
 */
export function createPublicEtaHandler(options: PublicEtaOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const client = req.socket.remoteAddress ?? '?';
    const now = options.now().getTime();
    const headers = { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', 'access-control-allow-origin': '*' };
    const wait = options.limit.take(client, now);
    if (wait > 0) {
      options.onRefused('eta-public-rate-limited', client, `retry after ${String(wait)} s`);
      res.writeHead(429, { ...headers, 'retry-after': String(wait) }).end(`${JSON.stringify({ error: `too many requests from this address; ask again in ${String(wait)} s (the estimate changes about once a minute)` })}\n`);
      return;
    }
    const refuse = (error: string): void => {
      options.onRefused('eta-public-bad-request', client, error.slice(0, 200));
      res.writeHead(400, headers).end(`${safeJson({ error })}\n`);
    };
    const search = new URL(req.url ?? '/', 'http://controller.invalid').search;
    if (search.length > MAX_QUERY) {
      refuse(`the query is ${String(search.length)} characters long; ask ?port=<port>[&platform=<platform>], e.g. ?port=curl`);
      return;
    }
    const query = new URLSearchParams(search);
    const unknown = [...query.keys()].filter((k) => k !== 'port' && k !== 'platform');
    const ports = query.getAll('port');
    const platforms = query.getAll('platform');
    if (unknown.length > 0 || ports.length > 1 || platforms.length > 1) {
      refuse('ask ?port=<port>[&platform=<platform>] with one port and at most one platform, nothing else, e.g. ?port=curl');
      return;
    }
    const port = ports[0] ?? '';
    const bad = port === '' ? 'port is missing' : explainBadPortName(port);
    if (bad !== undefined) {
      refuse(`${bad}; ask ?port=<port>[&platform=<platform>], e.g. ?port=curl`);
      return;
    }
    const platform = platforms[0];
    if (platform !== undefined && !options.platforms.includes(platform)) {
      refuse(`platform ${JSON.stringify(platform)} is not built here; use one of ${options.platforms.join(', ')} or leave it out for all`);
      return;
    }
    const body = toPublicEtaAnswer(options.answer(port, platform, now));
    res.writeHead(200, { ...headers, 'cache-control': 'public, max-age=30' }).end(`${safeJson(body)}\n`);
  };
}

/** JSON with `<`, `>` and `&` escaped: a refused value echoed in a message never reads as markup, whatever renders it. */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
