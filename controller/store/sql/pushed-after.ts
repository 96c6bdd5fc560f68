import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** The revision a received push moved the branch to from `before`, if one did. */
export function pushedAfter(db: DatabaseSync, before: string): string | undefined {
  const row = prepared(db, `select after from push_link where before = ?`).get(before);
  return typeof row?.after === 'string' ? row.after : undefined;
}
