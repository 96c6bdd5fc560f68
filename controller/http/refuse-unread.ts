import type { ServerResponse } from 'node:http';

/** How long a refused connection stays half-open so the answer reaches the client before the reset. */
const LINGER_MS = 2000;

/**
 * Answers a request whose body is not going to be read, then closes the connection without
 * reading on. Left to itself node would read (and discard) the rest of the body to reuse the
 * connection, which for a 25 MB forged post is the very cost the refusal avoids; closing at once
 * with the client's data unread makes the kernel send a reset that can drop the answer. So: the
 * answer and a FIN go out, reading stops, and the socket is destroyed after LINGER_MS.
 */
export function refuseUnread(res: ServerResponse, status: number, body: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, string>> = {}): void {
  // Captured now: by the time the answer is flushed the response may have let go of it.
  const socket = res.socket;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body), () => {
    if (socket === null) return;
    socket.end();
    // After node's own end-of-response handling, which resumes the request to drain it.
    setImmediate(() => { socket.pause(); });
    const linger = setTimeout(() => { socket.destroy(); }, LINGER_MS);
    linger.unref();
    socket.once('close', () => { clearTimeout(linger); });
  });
}
