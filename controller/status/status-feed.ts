import type { StatusSnapshot } from './status-snapshot.ts';

/** Where the status API reads from: the current snapshot, and a notice when it may have changed. */
export interface StatusFeed {
  /** The farm as it is now; called for every request and after every change notice. */
  readonly getSnapshot: () => StatusSnapshot;
  /** Calls `onChange` whenever the snapshot may have changed; returns the unsubscribe function. */
  readonly subscribe: (onChange: () => void) => () => void;
}
