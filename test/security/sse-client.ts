import { connect, type Socket } from 'node:net';

export interface RawStream {
  readonly socket: Socket;
  /** Everything received so far. */
  text: string;
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
}

/**
 * Opens `GET path` on a raw socket, the cheapest client there is, so a test can hold thousands.
 * `read: false` never reads what the server sends (a stalled dashboard).
 */
export async function openRawStream(url: string, path: string, headers: Readonly<Record<string, string>>, read = true): Promise<RawStream> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  const stream: RawStream = {
    socket,
    text: '',
    closed: new Promise<void>((resolve) => {
      socket.on('close', () => { resolve(); });
    }),
  };
  socket.on('error', () => undefined);
  if (read) socket.on('data', (data: Buffer) => { stream.text += data.toString('utf8'); });
  else socket.pause();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write([`GET ${path} HTTP/1.1`, `host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
  return stream;
}

/** Polls `check` until it holds (10 s at most). */
export async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
