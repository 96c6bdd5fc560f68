import type { PaneId } from './pane-id.ts';

/** What the operator has chosen to look at; changed only by keys (see reduceKey). */
export interface ViewState {
  readonly pane: PaneId;
  readonly selected: Readonly<Record<PaneId, number>>;
  readonly filter: string;
  readonly editingFilter: boolean;
  /** `port`: the estimate of one queued port, opened from a queue's details (docs/eta.md). */
  readonly overlay: 'none' | 'help' | 'details' | 'port';
  /** In a queue's details: which of its queued ports (queuedPortsOf) is chosen. */
  readonly queuedItem: number;
  /** The port whose estimate the `port` overlay shows. */
  readonly port: string | null;
}

export const INITIAL_VIEW: ViewState = {
  pane: 'hosts',
  selected: { hosts: 0, runners: 0, queues: 0, failures: 0, alerts: 0 },
  filter: '',
  editingFilter: false,
  overlay: 'none',
  queuedItem: 0,
  port: null,
};
