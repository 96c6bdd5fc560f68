import type { KeyPress } from './key-press.ts';
import { PANE_IDS, type PaneId } from './pane-id.ts';
import type { ViewState } from './view-state.ts';

export interface KeyResult {
  readonly view: ViewState;
  readonly quit: boolean;
}

/** How many selectable items each pane has right now (after the filter), to keep selections in range. */
export type PaneCounts = Readonly<Record<PaneId, number>>;

const PAGE = 10;

/**
 * The key bindings as one pure function: view state and key in, view state (and quit) out.
 * `queuedPorts`: the ports the selected queue's details list (queuedPortsOf), for choosing one
 * there and asking its estimate.
 */
export function reduceKey(view: ViewState, key: KeyPress, counts: PaneCounts, queuedPorts: readonly string[] = []): KeyResult {
  const stay = (next: ViewState): KeyResult => ({ view: next, quit: false });
  if (view.editingFilter) return stay(editFilter(view, key));
  if (key.input === 'q' && key.ctrl !== true) return { view, quit: true };
  if (key.input === '?') return stay({ ...view, overlay: view.overlay === 'help' ? 'none' : 'help' });
  if (key.input === '/') return stay({ ...view, editingFilter: true, overlay: 'none' });
  if (key.escape === true) {
    if (view.overlay === 'port') return stay({ ...view, overlay: 'details', port: null });
    return stay(view.overlay !== 'none' ? { ...view, overlay: 'none' } : { ...view, filter: '' });
  }
  const paneIndex = PANE_IDS.indexOf(view.pane);
  const moveTo = (index: number): KeyResult => {
    const pane = PANE_IDS[(index + PANE_IDS.length) % PANE_IDS.length] ?? view.pane;
    return stay({ ...view, pane, overlay: view.overlay === 'help' ? 'help' : 'none', port: null });
  };
  if ((key.tab === true && key.shift === true) || key.left === true) return moveTo(paneIndex - 1);
  if (key.tab === true || key.right === true) return moveTo(paneIndex + 1);
  const digit = /^[1-5]$/.test(key.input) ? Number(key.input) : 0;
  if (digit > 0) return moveTo(digit - 1);
  const inQueue = view.overlay === 'details' && view.pane === 'queues' && queuedPorts.length > 0;
  if (key.enter === true) {
    if (view.overlay === 'port') return stay({ ...view, overlay: 'details', port: null });
    if (inQueue) return stay({ ...view, overlay: 'port', port: queuedPorts[Math.min(view.queuedItem, queuedPorts.length - 1)] ?? null });
    if (view.overlay === 'details') return stay({ ...view, overlay: 'none' });
    return stay(counts[view.pane] > 0 && view.overlay === 'none' ? { ...view, overlay: 'details', queuedItem: 0 } : view);
  }
  const step = key.up === true || key.input === 'k' ? -1 : key.down === true || key.input === 'j' ? 1 : key.pageUp === true ? -PAGE : key.pageDown === true ? PAGE : 0;
  if (step !== 0 && inQueue) {
    const current = Math.min(view.queuedItem, queuedPorts.length - 1);
    return stay({ ...view, queuedItem: Math.max(0, Math.min(queuedPorts.length - 1, current + step)) });
  }
  if (step !== 0 && view.overlay === 'none') {
    const last = Math.max(0, counts[view.pane] - 1);
    const current = Math.min(view.selected[view.pane], last);
    return stay({ ...view, selected: { ...view.selected, [view.pane]: Math.max(0, Math.min(last, current + step)) } });
  }
  return stay(view);
}

function editFilter(view: ViewState, key: KeyPress): ViewState {
  if (key.escape === true) return { ...view, editingFilter: false, filter: '' };
  if (key.enter === true) return { ...view, editingFilter: false };
  if (key.backspace === true) return { ...view, filter: Array.from(view.filter).slice(0, -1).join('') };
  if (key.ctrl === true || key.meta === true || key.tab === true) return view;
  // Printable characters only; pasted text arrives as one input.
  const text = Array.from(key.input)
    .filter((c) => c >= ' ' && c !== '\u007f')
    .join('');
  return text === '' ? view : { ...view, filter: `${view.filter}${text}`.slice(0, 60) };
}
