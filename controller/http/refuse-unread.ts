import type { ServerResponse } from 'node:http';

/**
 * Answers a request whose body is not going to be read, and closes the connection after the
 * answer: left open, node would read (and discard) the rest of the body to reuse the
 * connection, which for a 25 MB forged post is the very cost the refusal avoids.
 */
export function refuseUnread(res: ServerResponse, status: number, body: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, string>> = {}): void {
  // Captured now: by the time the answer is flushed the response may have let go of it.
  const socket = res.socket;
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers });
  res.end(JSON.stringify(body), () => {
    socket?.destroy();
  });
}
