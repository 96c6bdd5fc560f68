import type { DatabaseSync } from 'node:sqlite';
import { requeuePreempted } from './core/preempt-builder.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueContext } from './core/queue-context.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import { carryRetryCounts, forgetRetryCounts } from './retry-counts.ts';

/**
 * Within one transaction: a dispatch intent GitHub made no run for (refused for a rate limit,
 * never sent, or not found by reconcile) is finished and its build queued again at the head
 * under a new id. It was no retry: its retry counts move to the new id as they were, or go when
 * a newer pending build of the port covers it.
 */
export function requeueUnsent(db: DatabaseSync, queue: PlatformQueue, entry: QueueEntry, ctx: QueueContext): { readonly entry: QueueEntry; readonly changes: readonly QueueChange[] } {
  const r = requeuePreempted(queue, entry, ctx);
  const inserted = r.changes.some((c) => c.op === 'insert' && c.entry.buildId === r.entry.buildId);
  if (inserted) carryRetryCounts(db, entry.buildId, r.entry.buildId, null);
  else forgetRetryCounts(db, entry.buildId);
  return r;
}
