import type { Key } from 'ink';
import type { KeyPress } from './key-press.ts';

/**
 * ink's (input, key) → the key presses it stands for. Keys that arrive in one read (typed
 * fast over SSH, tmux send-keys, a paste) come as one string: "jj\r" is j, j, enter.
 */
export function toKeyPresses(input: string, key: Key): KeyPress[] {
  const chars = Array.from(input);
  const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.ctrl || key.meta;
  if (chars.length <= 1 || special) {
    return [
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
    ];
  }
  return chars.map((c): KeyPress => {
    if (c === '\r' || c === '\n') return { input: '', enter: true };
    if (c === '\t') return { input: '', tab: true };
    if (c === '\u007f' || c === '\b') return { input: '', backspace: true };
    if (c === '\u001b') return { input: '', escape: true };
    return { input: c };
  });
}
