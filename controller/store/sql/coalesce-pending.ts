import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** A newer request folded into a build that is still pending (never into one already dispatched). */
export function coalescePending(
  db: DatabaseSync,
  buildId: string,
  portsRevision: string,
  changedPorts: readonly string[] | null,
  force: boolean,
  builderClass: number,
): number {
  return Number(
    prepared(
      db,
      `update queue_entry set ports_revision = ?, changed_ports = ?, force = ?, builder_class = ?
       where build_id = ? and state = 'pending'`,
    ).run(portsRevision, changedPorts === null ? null : JSON.stringify(changedPorts), force ? 1 : 0, builderClass, buildId).changes,
  );
}
