import type { ScreenLine } from './screen-line.ts';

/** One selectable thing in a pane (a host, a runner, a queue...) and the lines it takes. */
export interface PaneItem {
  readonly lines: readonly ScreenLine[];
}

/** What a pane shows, already laid out for one width; components only draw it. */
export interface PaneModel {
  readonly header: ScreenLine | null;
  readonly items: readonly PaneItem[];
  /** Shown when there are no items. */
  readonly empty: string;
  /** Whether items can be selected (help and details cannot). */
  readonly selectable: boolean;
}
