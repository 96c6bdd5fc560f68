import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function selectPrCounter(db: DatabaseSync, platform: string): number {
  const row = prepared(db, `select master_since_last_pr as n from platform_state where platform = ?`).get(platform);
  return typeof row?.n === 'number' ? row.n : 0;
}
