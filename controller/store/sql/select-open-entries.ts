import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Every build of a platform not finished yet, in enqueue order. */
export function selectOpenEntries(db: DatabaseSync, platform: string): Record<string, unknown>[] {
  return prepared(db, `select * from queue_entry where platform = ? and state <> 'finished' order by seq, list_index`).all(platform);
}
