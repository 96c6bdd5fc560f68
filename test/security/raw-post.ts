import { connect } from 'node:net';

export interface RawAnswer {
  /** The status of the answer, or 0 when the server closed without one. */
  readonly status: number;
  /** The answer as received (status line, headers, body). */
  readonly text: string;
  /** Body bytes the client had written when the answer arrived (or the connection closed). */
  readonly sentBeforeAnswer: number;
}

export interface RawPost {
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Body bytes to offer; sending stops as soon as any answer arrives. */
  readonly bodyBytes: number;
  /** Declare the length (Content-Length) or stream it chunked (default true). */
  readonly declareLength?: boolean;
  /** Pause after this many bytes until `resume` resolves (holds a request in flight). */
  readonly holdAfter?: number;
  readonly resume?: Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x20);

/**
 * A POST as an attacker sends it: headers, then the body 64 KiB at a time, waiting for the
 * socket to drain, and stopping the moment the server answers. `sentBeforeAnswer` tells how
 * much of the body the server let in before it refused (a server that reads everything first
 * lets it all in). The socket is always closed when this resolves.
 */
export async function rawPost(request: RawPost): Promise<RawAnswer> {
  const { hostname, port } = new URL(request.url);
  const socket = connect({ host: hostname, port: Number(port) });
  let text = '';
  const seen = { answered: false };
  let sent = 0;
  let sentAtAnswer = -1;
  socket.on('data', (data: Buffer) => {
    if (!seen.answered) sentAtAnswer = sent;
    seen.answered = true;
    text += data.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => { resolve(); });
    // A reset after the answer (the server closed with our unsent body pending) is expected.
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const declare = request.declareLength ?? true;
  const head = [
    `POST ${request.path} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    'connection: close',
    declare ? `content-length: ${request.bodyBytes}` : 'transfer-encoding: chunked',
    ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  socket.write(head);
  let hold = request.holdAfter;
  while (sent < request.bodyBytes && !seen.answered && !socket.destroyed) {
    if (hold !== undefined && sent >= hold && request.resume !== undefined) {
      await request.resume;
      hold = undefined;
    }
    const size = Math.min(CHUNK.length, request.bodyBytes - sent);
    const piece = CHUNK.subarray(0, size);
    const ok = socket.write(declare ? piece : Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    sent += size;
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = (): void => { socket.off('drain', done); socket.off('close', done); socket.off('data', done); resolve(); };
        socket.once('drain', done);
        socket.once('close', done);
        socket.once('data', done);
      });
    }
  }
  if (!declare && !seen.answered && !socket.destroyed) socket.write('0\r\n\r\n');
  const timer = setTimeout(() => socket.destroy(), 10_000);
  await closed;
  clearTimeout(timer);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, text, sentBeforeAnswer: sentAtAnswer === -1 ? sent : sentAtAnswer };
}
