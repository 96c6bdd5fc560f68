import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function markFinishedRow(db: DatabaseSync, buildId: string, result: string, at: number): number {
  return Number(
    prepared(db, `update queue_entry set state = 'finished', result = ?, finished_at = ? where build_id = ? and state in ('dispatched', 'started')`).run(
      result,
      at,
      buildId,
    ).changes,
  );
}
