import { setTimeout as sleep } from 'node:timers/promises';
import { coerceError } from '../errors/coerce-error.ts';
import { fetchStatus } from './fetch-status.ts';
import { followStatusEvents } from './follow-status-events.ts';
import { StatusFetchError } from './status-fetch-error.ts';
import type { StatusStore } from './status-store.ts';

export interface StatusPollerOptions {
  readonly url: string;
  /** The controller's status token (sent as Authorization: Bearer). */
  readonly token?: string;
  readonly store: StatusStore;
  readonly signal: AbortSignal;
  /** Poll period, retry period and clock tick (default 2 s). */
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Try the event stream first (default true); false polls only. */
  readonly events?: boolean;
}

/**
 * Keeps the store current until `signal` aborts: one `GET /api/status`, then the event stream
 * if the controller has one, else `GET /api/status` every interval. Failures go to the store
 * (the dashboard shows them) and are retried every interval; nothing here throws.
 */
export async function runStatusPoller(options: StatusPollerOptions): Promise<void> {
  const { url, store, signal } = options;
  const intervalMs = options.intervalMs ?? 2000;
  const now = options.now ?? Date.now;
  let events = options.events ?? true;
  const ticker = setInterval(() => {
    store.tick(now());
  }, intervalMs);
  ticker.unref();
  try {
    const stopped = (): boolean => signal.aborted;
  while (!stopped()) {
      try {
        store.receive(await fetchStatus(url, signal, options.token), now(), events ? 'connecting' : 'polling');
        if (events) {
          store.setMode('events');
          const outcome = await followStatusEvents(url, signal, (snapshot) => {
            store.receive(snapshot, now(), 'events');
          }, options.token);
          if (outcome === 'unsupported') {
            events = false;
            store.setMode('polling');
          }
        }
      } catch (caught) {
        if (stopped()) break;
        const error = caught instanceof StatusFetchError ? caught : new StatusFetchError(url, `reading ${url} failed: ${coerceError(caught).message}`, 'see the controller log', { retryable: true, cause: caught });
        store.fail(error, now());
      }
      await sleep(intervalMs, undefined, { signal, ref: false }).catch(() => undefined);
    }
  } finally {
    clearInterval(ticker);
  }
}
