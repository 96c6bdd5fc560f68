import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Only a dispatched (not started) run may be cancelled for a watcher. */
export function markCancelRequested(db: DatabaseSync, buildId: string): number {
  return Number(
    prepared(db, `update queue_entry set cancel_requested = 1 where build_id = ? and state = 'dispatched' and cancel_requested = 0`).run(buildId)
      .changes,
  );
}
