import type { IncomingMessage } from 'node:http';

/** A request body over the limit: answer 413, never buffer it. */
export class BodyTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a request body as UTF-8, refusing more than `maxBytes` (for every POST the controller takes). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
