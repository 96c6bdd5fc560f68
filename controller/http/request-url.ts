import type { IncomingMessage } from 'node:http';

/**
 * The request's target as a URL, or null when it is not one. HTTP lets a client send the
 * target in absolute form (`GET http://[x/ HTTP/1.1`) and node hands a malformed one over as it
 * came, where `new URL` throws: every handler reads the target through here, so one such line
 * is a 400, never an exception that ends the process.
 */
export function requestUrl(req: IncomingMessage, base: string): URL | null {
  return URL.parse(req.url ?? '/', base);
}

/** The 400 answer's text for a target that is not a URL (cut to 200 characters: it is the client's). */
export function badTargetMessage(req: IncomingMessage): string {
  return `request target ${JSON.stringify((req.url ?? '').slice(0, 200))} is not a URL; send a path such as /api/status`;
}
