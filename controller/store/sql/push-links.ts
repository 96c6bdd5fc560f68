import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Records that a push moved the branch from `before` to `after` (a repeat keeps the first time). */
export function recordPushLink(db: DatabaseSync, before: string, after: string, receivedAt: number): void {
  prepared(db, `insert into push_link (before, after, received_at) values (?, ?, ?) on conflict (before) do update set after = excluded.after`).run(before, after, receivedAt);
}

/** The revision a received push moved the branch to from `before`, if one did. */
export function pushedAfter(db: DatabaseSync, before: string): string | undefined {
  const row = prepared(db, `select after from push_link where before = ?`).get(before);
  return typeof row?.after === 'string' ? row.after : undefined;
}

/** The build a delivery (with its platform) queued, if it was worked on. */
export function getDeliveryNote(db: DatabaseSync, key: string): string | undefined {
  const row = prepared(db, `select build_id from delivery_note where key = ?`).get(key);
  return typeof row?.build_id === 'string' ? row.build_id : undefined;
}

export function setDeliveryNote(db: DatabaseSync, key: string, buildId: string, receivedAt: number): void {
  prepared(db, `insert into delivery_note (key, build_id, received_at) values (?, ?, ?) on conflict (key) do nothing`).run(key, buildId, receivedAt);
}

/** Drops push links and delivery notes received before `olderThan` (ms); returns how many rows went. */
export function prunePushRecords(db: DatabaseSync, olderThan: number): number {
  const links = Number(prepared(db, `delete from push_link where received_at < ?`).run(olderThan).changes);
  const notes = Number(prepared(db, `delete from delivery_note where received_at < ?`).run(olderThan).changes);
  return links + notes;
}
