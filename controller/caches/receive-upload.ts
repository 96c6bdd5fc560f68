import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The body grew past the most a grant allows; the caller deletes the temporary file. */
export class UploadTooLarge extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`upload larger than ${limit} bytes`);
    this.name = 'UploadTooLarge';
    this.limit = limit;
  }
}

/**
 * Streams a PUT body into `temp` (created exclusively), hashing it on the way, and stops once it
 * exceeds `limit` bytes so a VM cannot fill the mirror's disk with a file no grant allows.
 */
export async function receiveUpload(req: IncomingMessage, temp: string, limit: number): Promise<{ readonly size: number; readonly sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      size += chunk.length;
      if (size > limit) {
        done(new UploadTooLarge(limit));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(req, meter, createWriteStream(temp, { flags: 'wx' }));
  return { size, sha256: hash.digest('hex') };
}
