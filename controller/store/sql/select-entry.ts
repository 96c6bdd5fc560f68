import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** One build by id, in any state (finished included), or undefined. */
export function selectEntry(db: DatabaseSync, buildId: string): Record<string, unknown> | undefined {
  return prepared(db, `select * from queue_entry where build_id = ?`).get(buildId);
}
