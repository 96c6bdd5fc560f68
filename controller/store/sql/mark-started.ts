import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function markStartedRow(db: DatabaseSync, buildId: string, at: number): number {
  return Number(
    prepared(db, `update queue_entry set state = 'started', started_at = ?, cancel_requested = 0 where build_id = ? and state = 'dispatched'`).run(
      at,
      buildId,
    ).changes,
  );
}
