import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

export function savePrCounter(db: DatabaseSync, platform: string, masterSinceLastPr: number): number {
  return Number(
    prepared(
      db,
      `insert into platform_state (platform, master_since_last_pr) values (?, ?)
       on conflict (platform) do update set master_since_last_pr = excluded.master_since_last_pr`,
    ).run(platform, masterSinceLastPr).changes,
  );
}
