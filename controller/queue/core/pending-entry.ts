import type { QueueEntry } from './queue-entry.ts';

/** What a newly queued build has not had yet: a dispatch, a run, a list, a cancel. */
type NotYet = 'state' | 'head' | 'runId' | 'lane' | 'dispatchedAt' | 'startedAt' | 'listAccepted' | 'cancelRequested';

/** A build as it enters its platform's queue: pending, at its own place (not requeued at the head). */
export function pendingEntry(fields: Omit<QueueEntry, NotYet>): QueueEntry {
  return { ...fields, state: 'pending', head: false, runId: null, lane: null, dispatchedAt: null, startedAt: null, listAccepted: false, cancelRequested: false };
}
