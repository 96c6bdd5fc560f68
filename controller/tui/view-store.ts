import type { KeyPress } from './key-press.ts';
import { reduceKey, type PaneCounts } from './reduce-key.ts';
import { INITIAL_VIEW, type ViewState } from './view-state.ts';

/** Holds the view state outside React; components read it with useSyncExternalStore. */
export class ViewStore {
  #view: ViewState;
  readonly #listeners = new Set<() => void>();

  constructor(initial: ViewState = INITIAL_VIEW) {
    this.#view = initial;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): ViewState => this.#view;

  /** Applies a key; returns true when the key asks to quit. */
  press(key: KeyPress, counts: PaneCounts, queuedPorts: readonly string[] = []): boolean {
    const result = reduceKey(this.#view, key, counts, queuedPorts);
    if (result.view !== this.#view) {
      this.#view = result.view;
      for (const listener of this.#listeners) listener();
    }
    return result.quit;
  }
}
