import type { ScreenLine } from './screen-line.ts';

/** The whole dashboard for one terminal size, as lines; the components draw it as is. */
export interface ScreenModel {
  readonly title: ScreenLine;
  readonly tabs: ScreenLine;
  /** Connection trouble; empty when the controller answers. */
  readonly banner: readonly ScreenLine[];
  /** Exactly `bodyHeight` lines (padded), the selected row already marked. */
  readonly body: readonly ScreenLine[];
  readonly footer: ScreenLine;
}
