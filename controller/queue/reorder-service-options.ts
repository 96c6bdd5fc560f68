import type { DatabaseSync } from 'node:sqlite';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { RunGateway } from './run-gateway.ts';

// What the reorder service is built from, and its retry limits (shared with the flows that report them).

/** How often a build whose run did no work (runner lost, list never handed over) is queued again. */
export const MAX_LOST_RETRIES = 3;
/** How often a build whose run someone else cancelled is queued again before it fails. */
export const MAX_CANCEL_RETRIES = 3;
/** The failed phase (ledger, check) of a build whose runs others cancelled `MAX_CANCEL_RETRIES` + 1 times. */
export const CANCELLED_BY_OTHERS = 'cancelled-by-others';

export interface ReorderServiceOptions {
  /** An open state database (`openStore`). */
  readonly db: DatabaseSync;
  /** The configured platforms; anything else is refused. */
  readonly platforms: readonly string[];
  readonly gateway: RunGateway;
  /** The ports graph for dependency order (null: the watchers' list order only). */
  readonly graph: PortsGraph | null;
  /** `platforms[].parallelBuilds` by platform name: runs in flight at once there (absent: 1). */
  readonly parallelBuilds?: ReadonlyMap<string, number>;
  /** Builders queued per transaction when a long port list is taken (default PORT_LIST_SLICE, 2,000). */
  readonly portListSlice?: number;
  /** Random prefix of new build ids for a new database (tests pin it); kept in the database afterwards. */
  readonly idPrefix?: string;
  /** Called when a preempting cancel has its outcome, for a round to take it (the controller kicks its loop). */
  readonly onCancelSettled?: () => void;
}
