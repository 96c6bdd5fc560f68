import type { PaneId } from './pane-id.ts';

/** What the operator has chosen to look at; changed only by keys (see reduceKey). */
export interface ViewState {
  readonly pane: PaneId;
  readonly selected: Readonly<Record<PaneId, number>>;
  readonly filter: string;
  readonly editingFilter: boolean;
  readonly overlay: 'none' | 'help' | 'details';
}

export const INITIAL_VIEW: ViewState = {
  pane: 'hosts',
  selected: { hosts: 0, runners: 0, queues: 0, failures: 0, alerts: 0 },
  filter: '',
  editingFilter: false,
  overlay: 'none',
};
