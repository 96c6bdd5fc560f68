import type { DatabaseSync } from 'node:sqlite';
import type { BuildResult } from '../model/build-kind.ts';
import { markFinished } from './core/mark-run.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import { requeuePreempted } from './core/preempt-builder.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueContext } from './core/queue-context.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import { requeueLost } from './core/requeue-lost.ts';
import { writeFinishNote } from './finish-notes.ts';
import { CANCELLED_BY_OTHERS, MAX_CANCEL_RETRIES, MAX_LOST_RETRIES } from './reorder-service-options.ts';
import { carryRetryCounts, forgetRetryCounts, retryCount, type RetryReason } from './retry-counts.ts';

/**
 * Within one transaction: what a completed run means for its build (ReorderService.runFinished,
 * and reconcile): finished, or queued again when the run did no work or someone else cancelled
 * it, with the note that the build is to be recorded when it did finish.
 */
export function settleRun(db: DatabaseSync, queue: PlatformQueue, entry: QueueEntry, result: BuildResult, runnerLost: boolean, ctx: QueueContext): readonly QueueChange[] {
  const at = ctx.now;
  // The cancel this service asked for (a watcher preempted it): the build goes back to the head.
  if (entry.cancelRequested && result === 'cancelled') return settlePreempted(db, queue, entry, ctx).changes;
  if (lostWork(db, entry, result, runnerLost)) return toRecord(db, entry, result, at, requeue(db, queue, entry, result, 'lost', ctx));
  if (result === 'cancelled' && !runnerLost) {
    if (retryCount(db, 'cancel', entry.buildId) < MAX_CANCEL_RETRIES) return toRecord(db, entry, result, at, requeue(db, queue, entry, result, 'cancel', ctx));
    forgetRetryCounts(db, entry.buildId);
    return toRecord(db, entry, 'failure', at, markFinished(queue, entry, 'failure', at, false), CANCELLED_BY_OTHERS);
  }
  forgetRetryCounts(db, entry.buildId);
  return toRecord(db, entry, result, at, markFinished(queue, entry, result, at));
}

/**
 * Within one transaction: the run this service cancelled to let a watcher go first is finished
 * as cancelled, with the note that it is to be recorded (its run completed on GitHub, so the
 * ledger has a line for it), and its build queued again at the head under a new id. Whichever
 * comes first, the run's webhook or the round that took the cancel's answer, settles it.
 */
export function settlePreempted(db: DatabaseSync, queue: PlatformQueue, entry: QueueEntry, ctx: QueueContext): { readonly entry: QueueEntry; readonly changes: readonly QueueChange[] } {
  forgetRetryCounts(db, entry.buildId);
  const r = requeuePreempted(queue, entry, ctx);
  return { entry: r.entry, changes: toRecord(db, entry, 'cancelled', ctx.now, r.changes) };
}

/** Within the finishing transaction: note that the build is to be recorded, when it did finish now. */
function toRecord(db: DatabaseSync, entry: QueueEntry, result: BuildResult, at: number, changes: readonly QueueChange[], phase: string | null = null): readonly QueueChange[] {
  if (changes.some((c) => c.op === 'finished' && c.buildId === entry.buildId)) {
    writeFinishNote(db, { buildId: entry.buildId, result, phase, runId: entry.runId ?? 0, at: new Date(at) });
  }
  return changes;
}

function lostWork(db: DatabaseSync, entry: QueueEntry, result: BuildResult, runnerLost: boolean): boolean {
  if (result === 'success' || retryCount(db, 'lost', entry.buildId) >= MAX_LOST_RETRIES) return false;
  // No runner ran it to the end (host lost, no VM could be had): the build never happened.
  if (runnerLost) return true;
  const watcher = entry.kind === 'watcher' || entry.kind === 'pr-watcher';
  return result === 'failure' && watcher && !entry.listAccepted;
}

/** Finishes the entry and queues its build again under a new id (`requeueLost`), its retry counted in the same transaction. */
function requeue(db: DatabaseSync, queue: PlatformQueue, entry: QueueEntry, result: BuildResult, reason: RetryReason, ctx: QueueContext): readonly QueueChange[] {
  const r = requeueLost(queue, entry, result, ctx);
  if (r.entry.buildId !== entry.buildId) carryRetryCounts(db, entry.buildId, r.entry.buildId, reason);
  else forgetRetryCounts(db, entry.buildId);
  return r.changes;
}
