import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** The build a delivery (with its platform) queued, if it was worked on. */
export function getDeliveryNote(db: DatabaseSync, key: string): string | undefined {
  const row = prepared(db, `select build_id from delivery_note where key = ?`).get(key);
  return typeof row?.build_id === 'string' ? row.build_id : undefined;
}
