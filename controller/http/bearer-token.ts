import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Whether the request carries `Authorization: Bearer <expected>`. Compared in constant time
 * (over SHA-256 digests, so neither the length nor a prefix of the token leaks through timing).
 */
export function hasBearerToken(req: IncomingMessage, expected: string): boolean {
  const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
  const given = match?.[1] ?? '';
  const same = timingSafeEqual(digest(given), digest(expected));
  return match !== null && expected !== '' && same;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * `handler` behind the status token: without `Authorization: Bearer <token>` the answer is 401
 * naming the environment variable the token comes from, and `onRefused` is told (the caller
 * counts it); the handler does not run.
 */
export function requireBearerToken(token: string, tokenEnv: string, onRefused: (req: IncomingMessage, why: 'missing' | 'wrong') => void, handler: Handler): Handler {
  return (req, res) => {
    if (hasBearerToken(req, token)) return handler(req, res);
    const why = req.headers.authorization === undefined ? 'missing' : 'wrong';
    onRefused(req, why);
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="portfarm status"', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: `${why === 'missing' ? 'no' : 'wrong'} status token: send Authorization: Bearer <the value of ${tokenEnv} on the controller>` }));
    return undefined;
  };
}
