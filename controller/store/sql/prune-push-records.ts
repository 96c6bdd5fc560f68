import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Drops push links and delivery notes received before `olderThan` (ms); returns how many rows went. */
export function prunePushRecords(db: DatabaseSync, olderThan: number): number {
  const links = Number(prepared(db, `delete from push_link where received_at < ?`).run(olderThan).changes);
  const notes = Number(prepared(db, `delete from delivery_note where received_at < ?`).run(olderThan).changes);
  return links + notes;
}
