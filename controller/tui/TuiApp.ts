import React, { useMemo } from 'react';
import { buildScreen, type TerminalSize } from './build-screen.ts';
import { countPaneItems } from './count-pane-items.ts';
import { Dashboard } from './Dashboard.ts';
import { filterSnapshot } from './filter-snapshot.ts';
import type { StatusStore } from './status-store.ts';
import { useKeyBindings } from './use-key-bindings.ts';
import { useStatus } from './use-status.ts';
import { useTerminalSize } from './use-terminal-size.ts';
import { useView } from './use-view.ts';
import type { ViewStore } from './view-store.ts';

const h = React.createElement;

export interface TuiAppProps {
  readonly statusStore: StatusStore;
  readonly viewStore: ViewStore;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  readonly size?: TerminalSize;
}

/** Connects the stores and the keys to the Dashboard; holds no state of its own. */
export function TuiApp({ statusStore, viewStore, size }: TuiAppProps): React.ReactElement {
  const status = useStatus(statusStore);
  const view = useView(viewStore);
  const terminal = useTerminalSize();
  const actual = size ?? terminal;
  const counts = useMemo(() => countPaneItems(status.snapshot === null ? null : filterSnapshot(status.snapshot, view.filter)), [status.snapshot, view.filter]);
  useKeyBindings(viewStore, counts);
  const screen = useMemo(() => buildScreen(status, view, actual), [status, view, actual]);
  return h(Dashboard, { screen, width: Math.max(40, actual.columns) });
}
