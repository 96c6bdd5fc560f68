import type { Logger } from 'pino';
import type { ApiClock } from './api-clock.ts';

export interface CheckPublishWorkerOptions {
  /** Sends what is pending (CheckPublishing.flush: due summaries, then the publisher's changes). */
  readonly flush: (signal: AbortSignal) => Promise<unknown>;
  /** Check-run changes not yet sent (the publisher's `pendingCount`). */
  readonly pending: () => number;
  readonly clock: ApiClock;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** The wait after a failed flush, doubled each time up to a minute (default 2 s). */
  readonly retryBaseMs?: number;
}

/**
 * Check publishing's own worker: sends the publisher's pending check-run changes whenever it
 * is kicked, paced by the publisher's `pace` hook (check-pacing.ts), so the scheduling round
 * only kicks it and never waits for a check. A failed flush keeps what was not sent (the
 * publisher's promise) and is tried again after a backoff; a newer state of a check replaces
 * the unsent one, so checks coalesce while they wait.
 */
export class CheckPublishWorker {
  readonly #options: CheckPublishWorkerOptions;
  #wanted = false;
  #busy = false;
  #wake: (() => void) | undefined;
  readonly #idleWaiters: (() => void)[] = [];
  /** Settles when the worker stopped (its signal aborted and the flush in flight ended). */
  readonly stopped: Promise<void>;

  constructor(options: CheckPublishWorkerOptions) {
    this.#options = options;
    options.signal.addEventListener('abort', () => { this.#wake?.(); }, { once: true });
    this.stopped = this.#run();
  }

  /** Asks for the pending changes to be sent (returns at once). */
  readonly kick = (): void => {
    this.#wanted = true;
    this.#wake?.();
  };

  /** Resolves when nothing is pending and no flush runs (tests wait for the checks with it). */
  idle(): Promise<void> {
    if (!this.#busy && !this.#wanted && this.#options.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(): Promise<void> {
    const { signal, log, clock, pending } = this.#options;
    let failures = 0;
    while (!signal.aborted) {
      if (!this.#wanted) {
        if (pending() === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
        await new Promise<void>((resolve) => { this.#wake = resolve; });
        this.#wake = undefined;
        continue;
      }
      this.#wanted = false;
      this.#busy = true;
      try {
        // Flushed on every kick, even with nothing pending: a summary check may have come due.
        await this.#options.flush(signal);
        failures = 0;
      } catch (caught) {
        if (this.#stopping()) break;
        failures += 1;
        const waitMs = Math.min(60_000, (this.#options.retryBaseMs ?? 2000) * 2 ** (failures - 1));
        log.warn({ err: caught, waitMs, pending: pending() }, 'check runs not published; kept and tried again');
        await clock.sleep(waitMs, signal).catch(() => undefined);
      } finally {
        this.#busy = false;
      }
      // What is still pending (a partial batch, a failure) goes out without another kick.
      if (pending() > 0) this.#wanted = true;
    }
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  // A method, not an inline read: the signal aborts while a flush awaits.
  #stopping(): boolean {
    return this.#options.signal.aborted;
  }
}
