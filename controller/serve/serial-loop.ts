import { coerceError } from '../errors/coerce-error.ts';

export interface SerialLoopOptions {
  /** One round of work; never runs twice at once. */
  readonly tick: (signal: AbortSignal) => Promise<void>;
  /** A round also runs this often without a kick (reconcile, watchdogs). */
  readonly intervalMs: number;
  /** Called with each failed round; the loop goes on (a failed round is retried next time). */
  readonly onError: (error: Error) => void;
  readonly signal: AbortSignal;
}

/**
 * Runs `tick` one round at a time: kicks while a round runs coalesce into one more round, so a
 * burst of 100 webhooks costs at most two rounds, and state is never acted on by two rounds at
 * once (the reorder service is not re-entrant). Stops when `signal` aborts; `stopped` settles
 * after the round in flight ends.
 */
export class SerialLoop {
  readonly #options: SerialLoopOptions;
  #running = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #rounds = 0;
  readonly #idleWaiters: (() => void)[] = [];
  readonly stopped: Promise<void>;
  #resolveStopped: () => void = () => undefined;

  constructor(options: SerialLoopOptions) {
    this.#options = options;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    options.signal.addEventListener('abort', () => {
      clearTimeout(this.#timer);
      if (!this.#running) this.#resolveStopped();
    }, { once: true });
    this.#schedule();
  }

  /** Rounds completed so far (for tests and metrics). */
  get rounds(): number {
    return this.#rounds;
  }

  /** Asks for a round as soon as possible. */
  kick(): void {
    if (this.#options.signal.aborted) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#run();
  }

  /** Resolves when no round runs and none is asked for (tests wait for quiescence with it). */
  idle(): Promise<void> {
    if (!this.#running && !this.#again) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(): Promise<void> {
    this.#running = true;
    clearTimeout(this.#timer);
    do {
      this.#again = false;
      try {
        await this.#options.tick(this.#options.signal);
      } catch (caught) {
        if (!this.#options.signal.aborted) this.#options.onError(coerceError(caught));
      }
      this.#rounds += 1;
    } while (this.#wantsAnotherRound());
    this.#running = false;
    this.#again = false;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
    if (this.#isAborted()) this.#resolveStopped();
    else this.#schedule();
  }

  // Methods, not inline reads: kicks and aborts happen while a round awaits.
  #isAborted(): boolean {
    return this.#options.signal.aborted;
  }

  #wantsAnotherRound(): boolean {
    return this.#again && !this.#isAborted();
  }

  #schedule(): void {
    if (this.#options.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.kick();
    }, this.#options.intervalMs);
    this.#timer.unref();
  }
}
