import type { IncomingMessage } from 'node:http';

/** A request body over the limit: answer 413, never buffer it. */
export class BodyTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body's declared size (Content-Length), or null when it is streamed without one. */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  return header === undefined || !/^\d+$/.test(header) ? null : Number(header);
}

/**
 * The body's declared size when it is over `maxBytes`, else null: a request that says up front
 * it is too large is answered 413 before a byte of it is read.
 */
export function declaredTooLarge(req: IncomingMessage, maxBytes: number): number | null {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return null;
  const length = Number(header);
  return length > maxBytes ? length : null;
}

/**
 * Reads a request body as UTF-8, refusing more than `maxBytes` (for every POST the controller
 * takes): a declared Content-Length over the cap is refused before reading, a body that streams
 * past it is cut at the cap (the request stream is destroyed, so the rest is never read).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  if (declaredTooLarge(req, maxBytes) !== null) return Promise.reject(new BodyTooLargeError(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Paused, not destroyed: the caller still answers 413 on this connection, then closes it.
      stop();
      req.pause();
      chunks.length = 0;
      reject(new BodyTooLargeError(maxBytes));
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => {
      stop();
      reject(new Error(`the client closed the connection after ${size} bytes of the body`));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
