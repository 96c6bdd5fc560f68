import type { FailureStatus } from '../status/status-snapshot.ts';

/** The failed builds the status shows, newest kept: at most `keep` in memory. */
export class RecentFailures {
  readonly #failures: FailureStatus[] = [];
  readonly #keep: number;

  constructor(keep = 200) {
    this.#keep = keep;
  }

  add(failure: FailureStatus): void {
    this.#failures.push(failure);
    if (this.#failures.length > this.#keep) this.#failures.splice(0, this.#failures.length - this.#keep);
  }

  /** The newest `count`, newest first. */
  latest(count: number): FailureStatus[] {
    return this.#failures.slice(-count).reverse();
  }
}
