import type { StatusFeed } from './status-feed.ts';
import type { StatusSnapshot } from './status-snapshot.ts';

/** A StatusFeed whose snapshot is replaced with `publish` (the controller's assembler, tests, the demo). */
export class SettableStatusFeed implements StatusFeed {
  #snapshot: StatusSnapshot;
  readonly #listeners = new Set<() => void>();

  constructor(initial: StatusSnapshot) {
    this.#snapshot = initial;
  }

  readonly getSnapshot = (): StatusSnapshot => this.#snapshot;

  readonly subscribe = (onChange: () => void): (() => void) => {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  };

  publish(snapshot: StatusSnapshot): void {
    this.#snapshot = snapshot;
    for (const listener of [...this.#listeners]) listener();
  }

  /** How many event streams are open (tests, metrics). */
  get subscribers(): number {
    return this.#listeners.size;
  }
}
