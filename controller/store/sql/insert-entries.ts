import type { DatabaseSync } from 'node:sqlite';
import type { QueueEntry } from '../../queue/core/queue-entry.ts';
import { prepared } from './prepared.ts';

/**
 * Many new pending builds in one statement (a watcher's list; a full rebuild is ~41k rows):
 * one call into SQLite with a JSON array instead of one call per row.
 */
export function insertEntries(db: DatabaseSync, entries: readonly QueueEntry[]): number {
  const rows = entries.map((e) => [
    e.buildId, e.platform, e.kind, e.port, e.portsRevision, e.seq, e.enqueuedAt,
    e.changedPorts === null ? null : JSON.stringify(e.changedPorts), e.force ? 1 : 0, e.prNumber, e.origin,
    e.listIndex, e.rank, e.builderClass, e.head ? 1 : 0,
  ]);
  return Number(
    prepared(
      db,
      `insert into queue_entry (build_id, platform, kind, port, ports_revision, state, seq, enqueued_at, changed_ports, force,
         pr_number, origin, list_index, rank, builder_class, head, run_id, dispatched_at, started_at, list_accepted, cancel_requested)
       select r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, 'pending', r ->> 5, r ->> 6, r ->> 7, r ->> 8,
              r ->> 9, r ->> 10, r ->> 11, r ->> 12, r ->> 13, r ->> 14, null, null, null, 0, 0
       from (select value as r from json_each(?))`,
    ).run(JSON.stringify(rows)).changes,
  );
}
