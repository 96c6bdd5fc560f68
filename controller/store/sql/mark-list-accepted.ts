import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** A watcher's port list is turned into builders once; a resent list changes nothing. */
export function markListAccepted(db: DatabaseSync, buildId: string): number {
  return Number(
    prepared(db, `update queue_entry set list_accepted = 1 where build_id = ? and kind in ('watcher', 'pr-watcher') and list_accepted = 0`).run(
      buildId,
    ).changes,
  );
}
