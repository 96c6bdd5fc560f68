import React, { useEffect, useMemo, useSyncExternalStore } from 'react';
import { buildScreen, type TerminalSize } from './build-screen.ts';
import { countPaneItems } from './count-pane-items.ts';
import { Dashboard } from './Dashboard.ts';
import { filterSnapshot } from './filter-snapshot.ts';
import type { PortEtaState, PortEtaStore } from './port-eta-store.ts';
import { queuedPortsOf } from './queued-ports.ts';
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
  /** Asks the controller for a queued port's estimate when its details are opened; without it none is shown. */
  readonly etaStore?: PortEtaStore;
}

const NO_STORE = { subscribe: () => () => undefined, getSnapshot: (): PortEtaState => NO_ETA };
const NO_ETA: PortEtaState = { port: null, answer: null, error: null };

/** Connects the stores and the keys to the Dashboard; holds no state of its own. */
export function TuiApp({ statusStore, viewStore, size, etaStore }: TuiAppProps): React.ReactElement {
  const status = useStatus(statusStore);
  const view = useView(viewStore);
  const terminal = useTerminalSize();
  const actual = size ?? terminal;
  const filtered = useMemo(() => (status.snapshot === null ? null : filterSnapshot(status.snapshot, view.filter)), [status.snapshot, view.filter]);
  const counts = useMemo(() => countPaneItems(filtered), [filtered]);
  const queued = useMemo(() => (view.pane === 'queues' ? queuedPortsOf(filtered, Math.min(view.selected.queues, Math.max(0, counts.queues - 1))) : []), [filtered, view.pane, view.selected.queues, counts.queues]);
  useKeyBindings(viewStore, counts, queued);
  const shown = view.overlay === 'port' ? view.port : null;
  useEffect(() => { etaStore?.show(shown); }, [etaStore, shown]);
  const eta = useSyncExternalStore((etaStore ?? NO_STORE).subscribe, (etaStore ?? NO_STORE).getSnapshot);
  const screen = useMemo(() => buildScreen(status, view, actual, eta), [status, view, actual, eta]);
  return h(Dashboard, { screen, width: Math.max(40, actual.columns) });
}
