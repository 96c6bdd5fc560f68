import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function setMeta(db: DatabaseSync, key: string, value: string): number {
  return Number(prepared(db, `insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value`).run(key, value).changes);
}
