import type { ApiClock } from './api-clock.ts';
import { GitHubError } from './github-error.ts';
import { checkWriteLimits, GITHUB_WRITE_LIMITS, writeDelay, type PacedWrite, type SentWrite, type WriteLimits } from './write-limits.ts';

const HOUR = 3_600_000;

export interface WritePacerOptions {
  /** GitHub's clock (the wall clock in production; the double's GitHub time in benchmarks). */
  readonly clock: ApiClock;
  readonly limits?: WriteLimits;
  /**
   * The longest a dispatch-class write waits for a window before it fails unsent (a retryable
   * error: the next round tries again), so a round is never held for minutes. Other writes
   * (check publishing in its worker) wait as long as it takes.
   */
  readonly maxDispatchWaitMs?: number;
}

/**
 * Lets writes go to GitHub as soon as GitHub's documented secondary limits allow
 * (write-limits.ts), shared by every client of the App: a burst of dispatches on many
 * platforms goes out at once, and a sustained stream is held under the per-minute and
 * per-hour budgets. Dispatch-class writes go first: an other write waits while one is waiting.
 */
export class WritePacer {
  readonly #clock: ApiClock;
  readonly #limits: WriteLimits;
  readonly #maxDispatchWaitMs: number;
  readonly #sent: SentWrite[] = [];
  #dispatchWaiting = 0;
  #wake: (() => void)[] = [];

  constructor(options: WritePacerOptions) {
    this.#clock = options.clock;
    this.#limits = checkWriteLimits(options.limits ?? GITHUB_WRITE_LIMITS);
    this.#maxDispatchWaitMs = options.maxDispatchWaitMs ?? 10_000;
  }

  /**
   * How long a dispatch asked now would fail unsent because GitHub's content limits are spent
   * for longer than a dispatch waits (0: it would go, at once or after a short wait). The
   * scheduling round dispatches nothing meanwhile, as during a pause GitHub asked for.
   */
  dispatchHeldFor(nowMs: number): number {
    const wait = writeDelay({ writeClass: 'dispatch', method: 'POST', endpoint: '' }, this.#sent, nowMs, this.#limits);
    return wait > this.#maxDispatchWaitMs ? wait : 0;
  }

  /** Writes let through in the last hour, oldest first (for tests and the status answer). */
  get sent(): readonly SentWrite[] {
    return this.#sent;
  }

  /** Resolves when `write` may be sent (and counts it as sent); rejects when the signal aborts or a dispatch would wait too long. */
  async acquire(write: PacedWrite, signal?: AbortSignal): Promise<void> {
    const dispatch = write.writeClass === 'dispatch';
    if (dispatch) this.#dispatchWaiting += 1;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const now = this.#clock.now();
        this.#forgetBefore(now - HOUR);
        // An other write never goes while a dispatch-class write waits: woken when that one goes.
        const behind = !dispatch && this.#dispatchWaiting > 0;
        const delay = behind ? Number.POSITIVE_INFINITY : writeDelay(write, this.#sent, now, this.#limits);
        if (delay <= 0) {
          this.#sent.push({ ...write, at: now });
          return;
        }
        if (dispatch && delay > this.#maxDispatchWaitMs) {
          throw new GitHubError(`not sent: ${write.endpoint} would wait ${Math.ceil(delay / 1000)} s for GitHub's secondary limits on writes (${this.#limits.contentPerMinute} content-creating a minute, ${this.#limits.contentPerHour} an hour); retried after that`, {
            status: 429,
            method: write.method,
            url: write.endpoint,
            retryable: true,
            // Never sent: the dispatch made no run, and its build is queued again at once (dispatch-one.ts).
            notProcessed: true,
          });
        }
        await this.#waitFor(delay, signal);
      }
    } finally {
      if (dispatch) {
        this.#dispatchWaiting -= 1;
        for (const wake of this.#wake.splice(0)) wake();
      }
    }
  }

  /** Waits `ms` on the clock (at most a minute at a time), or until a dispatch-class write leaves the queue. */
  async #waitFor(ms: number, signal?: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = (): void => { stop.abort(signal?.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
    let wake = (): void => undefined;
    const woken = new Promise<void>((resolve) => { wake = resolve; this.#wake.push(resolve); });
    try {
      const sleep = Number.isFinite(ms) ? this.#clock.sleep(Math.min(ms, 60_000), stop.signal).catch(() => undefined) : new Promise<void>((resolve) => { stop.signal.addEventListener('abort', () => { resolve(); }, { once: true }); });
      await Promise.race([sleep, woken]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
      this.#wake = this.#wake.filter((w) => w !== wake);
    }
  }

  #forgetBefore(cutoff: number): void {
    let n = 0;
    while (n < this.#sent.length && (this.#sent[n]?.at ?? cutoff) <= cutoff) n += 1;
    if (n > 0) this.#sent.splice(0, n);
  }
}
