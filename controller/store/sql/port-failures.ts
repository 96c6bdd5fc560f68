import type { DatabaseSync } from 'node:sqlite';
import { prepared } from './prepared.ts';

/** Records (or replaces) the failure of a port on a platform; always one row. */
export function savePortFailure(db: DatabaseSync, platform: string, port: string, portsRevision: string, buildId: string): number {
  prepared(db, `insert into port_failure (platform, port, name, ports_revision, build_id) values (?, ?, ?, ?, ?)
    on conflict (platform, port) do update set name = excluded.name, ports_revision = excluded.ports_revision, build_id = excluded.build_id`).run(
    platform, port.toLowerCase(), port, portsRevision, buildId,
  );
  return 1;
}

/** The port built: its failure, if one was recorded, is forgotten. Nothing to forget is fine. */
export function clearPortFailure(db: DatabaseSync, platform: string, port: string): number {
  prepared(db, `delete from port_failure where platform = ? and port = ?`).run(platform, port.toLowerCase());
  return 1;
}

export interface PortFailureRow {
  readonly name: string;
  readonly portsRevision: string;
  readonly buildId: string;
}

export function selectPortFailures(db: DatabaseSync, platform: string): PortFailureRow[] {
  return prepared(db, `select name, ports_revision, build_id from port_failure where platform = ? order by port`).all(platform).map((row) => ({
    name: String(row.name),
    portsRevision: String(row.ports_revision),
    buildId: String(row.build_id),
  }));
}
