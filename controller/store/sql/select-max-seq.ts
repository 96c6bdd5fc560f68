import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** The highest enqueue number ever given on a platform (finished rows included), so numbers only grow. */
export function selectMaxSeq(db: DatabaseSync, platform: string): number {
  const row = prepared(db, `select coalesce(max(seq), 0) as n from queue_entry where platform = ?`).get(platform);
  return typeof row?.n === 'number' ? row.n : 0;
}
