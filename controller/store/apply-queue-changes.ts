import type { DatabaseSync } from 'node:sqlite';
import type { QueueChange } from '../queue/core/queue-change.ts';
import { coalescePending } from './sql/coalesce-pending.ts';
import { insertEntries } from './sql/insert-entries.ts';
import { insertEntry } from './sql/insert-entry.ts';
import { markCancelRequested } from './sql/mark-cancel-requested.ts';
import { markDispatchingRow } from './sql/mark-dispatching.ts';
import { markFinishedRow } from './sql/mark-finished.ts';
import { markListAccepted } from './sql/mark-list-accepted.ts';
import { markStartedRow } from './sql/mark-started.ts';
import { savePrCounter } from './sql/save-pr-counter.ts';
import { clearPortFailure, savePortFailure } from './sql/port-failures.ts';
import { setRunId } from './sql/set-run-id.ts';

/**
 * Persists what one core operation changed. The caller wraps this in one transaction; a
 * statement that finds its row in an unexpected state (0 rows changed) aborts the whole
 * change, so the database never holds half of a decision.
 */
export function applyQueueChanges(db: DatabaseSync, changes: readonly QueueChange[]): void {
  // Inserts go in one statement; the other changes follow in order (none of them touches a row inserted here).
  const inserts = changes.flatMap((c) => (c.op === 'insert' ? [c.entry] : []));
  if (inserts.length > 1) {
    const inserted = insertEntries(db, inserts);
    if (inserted !== inserts.length) throw new Error(`inserting ${String(inserts.length)} queue entries stored ${String(inserted)}; the database and the queue disagree`);
  }
  for (const change of changes) {
    if (change.op === 'insert' && inserts.length > 1) continue;
    const changed = applyOne(db, change);
    if (changed !== 1) {
      const id = change.op === 'insert' ? change.entry.buildId : change.op === 'pr-counter' || change.op === 'port-built' ? change.platform : change.buildId;
      throw new Error(`queue change ${change.op} for ${id} matched ${changed} rows, expected 1; the database and the queue disagree`);
    }
  }
}

function applyOne(db: DatabaseSync, change: QueueChange): number {
  switch (change.op) {
    case 'insert':
      return insertEntry(db, change.entry);
    case 'coalesce':
      return coalescePending(db, change.buildId, change.portsRevision, change.changedPorts, change.force, change.builderClass);
    case 'dispatching':
      return markDispatchingRow(db, change.buildId, change.at, change.lane);
    case 'dispatched':
      return setRunId(db, change.buildId, change.runId);
    case 'cancel-requested':
      return markCancelRequested(db, change.buildId);
    case 'started':
      return markStartedRow(db, change.buildId, change.at);
    case 'finished':
      return markFinishedRow(db, change.buildId, change.result, change.at);
    case 'list-accepted':
      return markListAccepted(db, change.buildId);
    case 'pr-counter':
      return savePrCounter(db, change.platform, change.masterSinceLastPr);
    case 'port-failed':
      return savePortFailure(db, change.platform, change.port, change.portsRevision, change.buildId);
    case 'port-built':
      return clearPortFailure(db, change.platform, change.port);
  }
}
