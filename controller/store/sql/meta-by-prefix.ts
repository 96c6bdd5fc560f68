import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Every meta row whose key starts with `prefix`, oldest key first. */
export function metaByPrefix(db: DatabaseSync, prefix: string): { readonly key: string; readonly value: string }[] {
  return prepared(db, `select key, value from meta where substr(key, 1, ?) = ? order by rowid`)
    .all(prefix.length, prefix)
    .flatMap((row) => (typeof row.key === 'string' && typeof row.value === 'string' ? [{ key: row.key, value: row.value }] : []));
}
