import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export interface FinishedRunRow {
  readonly rowid: number;
  readonly buildId: string;
  readonly platform: string;
  readonly port: string | null;
  readonly dispatchedAt: number;
  readonly finishedAt: number;
}

/**
 * Successful runs finished after row `afterRowid`, oldest row first, at most `limit`: the
 * durations the ETA learns from (dispatch to finish: the time the run held its platform).
 */
export function selectFinishedRuns(db: DatabaseSync, afterRowid: number, limit: number): FinishedRunRow[] {
  const rows = prepared(db, `select rowid, build_id, platform, port, dispatched_at, finished_at from queue_entry
    where rowid > ? and state = 'finished' and result = 'success' and pr_number is null and dispatched_at is not null and finished_at is not null
    order by rowid limit ?`).all(afterRowid, limit);
  return rows.map((row) => ({
    rowid: Number(row.rowid),
    buildId: String(row.build_id),
    platform: String(row.platform),
    port: typeof row.port === 'string' ? row.port : null,
    dispatchedAt: Number(row.dispatched_at),
    finishedAt: Number(row.finished_at),
  }));
}
