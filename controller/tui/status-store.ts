import type { StatusSnapshot } from '../status/status-snapshot.ts';
import type { StatusFetchError } from './status-fetch-error.ts';
import type { FeedMode, StatusState } from './status-state.ts';

/**
 * Holds what the TUI knows about the controller, outside React (subscribe/getSnapshot for
 * useSyncExternalStore). The poller writes to it; components only read.
 */
export class StatusStore {
  #state: StatusState;
  readonly #listeners = new Set<() => void>();
  #lastJson = '';

  constructor(url: string, now: number, retryMs: number) {
    this.#state = { url, snapshot: null, receivedAt: null, problem: null, mode: 'connecting', now, retryMs };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): StatusState => this.#state;

  receive(snapshot: StatusSnapshot, now: number, mode: FeedMode): void {
    // An unchanged snapshot keeps its object identity, so nothing downstream recomputes.
    const json = JSON.stringify(snapshot);
    const same = json === this.#lastJson;
    this.#lastJson = json;
    this.#set({ ...this.#state, snapshot: same ? this.#state.snapshot : snapshot, receivedAt: now, problem: null, mode, now });
  }

  fail(error: StatusFetchError, now: number): void {
    const previous = this.#state.problem;
    this.#set({
      ...this.#state,
      problem: { problem: error.problem, hint: error.hint, since: previous?.since ?? now, attempts: (previous?.attempts ?? 0) + 1 },
      mode: 'connecting',
      now,
    });
  }

  setMode(mode: FeedMode): void {
    if (mode !== this.#state.mode) this.#set({ ...this.#state, mode });
  }

  /** The clock moved: ages and "for N min" change even when the snapshot does not. */
  tick(now: number): void {
    this.#set({ ...this.#state, now });
  }

  #set(state: StatusState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
