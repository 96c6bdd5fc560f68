import type { PaneModel } from './pane-model.ts';
import { segment } from './screen-line.ts';

const KEYS: readonly (readonly [string, string])[] = [
  ['tab  → / ←', 'next / previous pane (or 1-5)'],
  ['↑ ↓  j k', 'select a row (pgup/pgdn: 10 rows)'],
  ['enter', 'details of the selected row (esc: back)'],
  ['', "in a queue's details: ↑↓ a port, enter its estimate"],
  ['/', 'filter by platform or port (enter: keep, esc: clear)'],
  ['esc', 'close details or help, clear the filter'],
  ['?', 'this help'],
  ['q  ctrl-c', 'quit'],
];

/** The key help, shown in place of the pane. */
export function buildHelpPane(): PaneModel {
  return {
    header: [segment('Keys', 'normal', { bold: true })],
    items: [
      ...KEYS.map(([key, what]) => ({ lines: [[segment(key.padEnd(14), 'accent', { bold: true }), segment(what)]] })),
      { lines: [[segment('')], [segment('Data refreshes live (event stream) or every 2 s (polling).', 'muted')]] },
    ],
    empty: '',
    selectable: false,
  };
}
