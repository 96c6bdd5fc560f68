import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** When the pushes received since `since` (ms) arrived, oldest first: the ETA's expected watchers. */
export function selectPushTimes(db: DatabaseSync, since: number): number[] {
  return prepared(db, `select received_at from push_link where received_at > ? order by received_at`).all(since).map((row) => Number(row.received_at));
}
