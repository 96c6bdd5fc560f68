import type { DatabaseSync } from 'node:sqlite';
import type { QueueEntry } from '../../queue/core/queue-entry.ts';
import { prepared } from './prepared.ts';

export function insertEntry(db: DatabaseSync, e: QueueEntry): number {
  return Number(
    prepared(
      db,
      `insert into queue_entry (build_id, platform, kind, port, ports_revision, state, seq, enqueued_at, changed_ports, force,
         pr_number, origin, list_index, rank, builder_class, head, run_id, dispatched_at, started_at, list_accepted, cancel_requested)
       values (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, null, 0, 0)`,
    ).run(
      e.buildId,
      e.platform,
      e.kind,
      e.port,
      e.portsRevision,
      e.seq,
      e.enqueuedAt,
      e.changedPorts === null ? null : JSON.stringify(e.changedPorts),
      e.force ? 1 : 0,
      e.prNumber,
      e.origin,
      e.listIndex,
      e.rank,
      e.builderClass,
      e.head ? 1 : 0,
    ).changes,
  );
}
