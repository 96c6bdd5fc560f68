import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function deleteMeta(db: DatabaseSync, key: string): number {
  return Number(prepared(db, `delete from meta where key = ?`).run(key).changes);
}
