import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function getMeta(db: DatabaseSync, key: string): string | undefined {
  const row = prepared(db, `select value from meta where key = ?`).get(key);
  return typeof row?.value === 'string' ? row.value : undefined;
}
