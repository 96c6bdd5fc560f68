import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Notes the build a delivery (with its platform) queued; a note already there stays. */
export function setDeliveryNote(db: DatabaseSync, key: string, buildId: string, receivedAt: number): void {
  prepared(db, `insert into delivery_note (key, build_id, received_at) values (?, ?, ?) on conflict (key) do nothing`).run(key, buildId, receivedAt);
}
