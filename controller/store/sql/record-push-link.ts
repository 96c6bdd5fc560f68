import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Records that a push moved the branch from `before` to `after` (a repeat keeps the first time). */
export function recordPushLink(db: DatabaseSync, before: string, after: string, receivedAt: number): void {
  prepared(db, `insert into push_link (before, after, received_at) values (?, ?, ?) on conflict (before) do update set after = excluded.after`).run(before, after, receivedAt);
}
