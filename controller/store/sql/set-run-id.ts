import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function setRunId(db: DatabaseSync, buildId: string, runId: number): number {
  return Number(
    prepared(db, `update queue_entry set run_id = ? where build_id = ? and state = 'dispatched' and run_id is null`).run(runId, buildId).changes,
  );
}
