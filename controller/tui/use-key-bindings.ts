import { useApp, useInput } from 'ink';
import type { PaneCounts } from './reduce-key.ts';
import { toKeyPresses } from './to-key-presses.ts';
import type { ViewStore } from './view-store.ts';

/** Sends every key to the view store; quits the app when the store says so. */
export function useKeyBindings(store: ViewStore, counts: PaneCounts, queuedPorts: readonly string[]): void {
  const { exit } = useApp();
  useInput((input, key) => {
    for (const press of toKeyPresses(input, key)) {
      if (store.press(press, counts, queuedPorts)) {
        exit();
        return;
      }
    }
  });
}
