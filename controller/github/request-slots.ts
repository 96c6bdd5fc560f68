import type { Octokit } from '@octokit/core';

interface RequestOptionsShape {
  readonly request?: { readonly signal?: AbortSignal };
}

/**
 * At most `max` requests of the App's clients in flight at once (GitHub's secondary limit is
 * 100 concurrent). A freed slot goes to the oldest waiter at once, without a timer: a burst of
 * dispatches is never put off by a scheduler's tick (octokit's throttler costs a timer per
 * queue it passes, which on a busy event loop adds up to seconds).
 */
export class RequestSlots {
  readonly #max: number;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1 || max > 100) throw new Error(`request slots ${String(max)} must be a whole number from 1 to 100 (GitHub refuses more than 100 concurrent requests)`);
    this.#max = max;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs `send` in a slot, waiting for one first when all are taken (rejects if `signal` aborts meanwhile). */
  async run<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#inFlight >= this.#max) {
      await new Promise<void>((resolve, reject) => {
        const take = (): void => { signal?.removeEventListener('abort', onAbort); resolve(); };
        const onAbort = (): void => {
          const i = this.#waiting.indexOf(take);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiting.push(take);
      });
    } else {
      this.#inFlight += 1;
    }
    try {
      return await send();
    } finally {
      // The slot passes straight to the next waiter (in flight stays the same), or is freed.
      const next = this.#waiting.shift();
      if (next === undefined) this.#inFlight -= 1;
      else next();
    }
  }
}

/** Sends every request of `octokit` through `slots`. */
export function useRequestSlots(octokit: Pick<Octokit, 'hook'>, slots: RequestSlots): void {
  octokit.hook.wrap('request', (request, requestOptions) => slots.run(async () => request(requestOptions), (requestOptions as RequestOptionsShape).request?.signal));
}
