import { useApp, useInput } from 'ink';
import type { PaneCounts } from './reduce-key.ts';
import type { ViewStore } from './view-store.ts';

/** Sends every key to the view store; quits the app when the store says so. */
export function useKeyBindings(store: ViewStore, counts: PaneCounts): void {
  const { exit } = useApp();
  useInput((input, key) => {
    const quit = store.press(
      {
        input,
        tab: key.tab,
        shift: key.shift,
        ctrl: key.ctrl,
        meta: key.meta,
        up: key.upArrow,
        down: key.downArrow,
        left: key.leftArrow,
        right: key.rightArrow,
        pageUp: key.pageUp,
        pageDown: key.pageDown,
        enter: key.return,
        escape: key.escape,
        backspace: key.backspace || key.delete,
      },
      counts,
    );
    if (quit) exit();
  });
}
