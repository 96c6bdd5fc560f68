import type { StatusSnapshot } from '../status/status-snapshot.ts';

/** How the TUI currently learns about changes. */
export type FeedMode = 'connecting' | 'events' | 'polling';

export interface StatusProblem {
  readonly problem: string;
  readonly hint: string;
  /** When the first failure of this streak happened (ms). */
  readonly since: number;
  readonly attempts: number;
}

/** Everything the dashboard knows about the controller, at clock time `now` (ms). */
export interface StatusState {
  readonly url: string;
  readonly snapshot: StatusSnapshot | null;
  readonly receivedAt: number | null;
  readonly problem: StatusProblem | null;
  readonly mode: FeedMode;
  readonly now: number;
  readonly retryMs: number;
}
