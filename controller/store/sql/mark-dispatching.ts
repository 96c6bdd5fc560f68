import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** The intent to dispatch, committed before the gateway is called (run_id stays null until it answers). */
export function markDispatchingRow(db: DatabaseSync, buildId: string, at: number, lane: number | null): number {
  return Number(
    prepared(db, `update queue_entry set state = 'dispatched', dispatched_at = ?, lane = ? where build_id = ? and state = 'pending'`).run(at, lane, buildId)
      .changes,
  );
}
