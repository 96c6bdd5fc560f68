import type { Writable } from 'node:stream';
import { fetchStatus } from './fetch-status.ts';
import { formatStatusText } from './format-status-text.ts';

export interface PrintStatusOptions {
  readonly url: string;
  /** The controller's status token (sent as Authorization: Bearer). */
  readonly token?: string;
  readonly json: boolean;
  readonly stdout: Writable;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * One snapshot to stdout, as JSON (exactly what `GET /api/status` answered, validated) or as
 * plain text, then return. A controller that cannot be read rejects with a StatusFetchError.
 */
export async function printStatusOnce(options: PrintStatusOptions): Promise<void> {
  const snapshot = await fetchStatus(options.url, options.signal, options.token);
  const text = options.json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStatusText(snapshot, options.url, (options.now ?? Date.now)());
  await new Promise<void>((resolve, reject) => {
    options.stdout.write(text, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
