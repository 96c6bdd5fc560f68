import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/**
 * Drops push links, delivery notes and webhook deliveries received before `olderThan` (ms);
 * returns how many rows went. A delivery that old is past GitHub's 3 days of redelivery (its
 * GUID cannot come again) and past the retry schedule (it is processed or given up).
 */
export function prunePushRecords(db: DatabaseSync, olderThan: number): number {
  const links = Number(prepared(db, `delete from push_link where received_at < ?`).run(olderThan).changes);
  const notes = Number(prepared(db, `delete from delivery_note where received_at < ?`).run(olderThan).changes);
  const deliveries = Number(prepared(db, `delete from github_deliveries where received_at < ?`).run(olderThan).changes);
  return links + notes + deliveries;
}
