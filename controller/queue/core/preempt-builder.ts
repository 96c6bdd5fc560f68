import type { QueueChange } from './queue-change.ts';
import type { QueueContext } from './queue-context.ts';
import type { QueueEntry } from './queue-entry.ts';
import { markFinished } from './mark-run.ts';
import { coalesceKey, indexEntry, type PlatformQueue } from './platform-queue.ts';

/**
 * The builder to cancel because a master watcher waits and no lane can take it (every lane
 * busy, none with a watcher: the waiting one goes after a running watcher, not instead of a
 * builder): dispatched (a run exists) but no runner has started it. A started builder is
 * never chosen.
 */
export function findPreemptable(queue: PlatformQueue): QueueEntry | undefined {
  if (!queue.policy.preempt || queue.watchers.length === 0 || queue.inFlight.length < queue.lanes) return undefined;
  if (queue.inFlight.some((e) => e.kind === 'watcher')) return undefined;
  return queue.inFlight.find((e) => e.state === 'dispatched' && (e.kind === 'builder' || e.kind === 'pr-builder'));
}

/** Marks the cancel as asked for, before the gateway is called (a restart then finishes the job). */
export function requestCancel(entry: QueueEntry): QueueChange[] {
  if (entry.state !== 'dispatched' || entry.cancelRequested) return [];
  entry.cancelRequested = true;
  return [{ op: 'cancel-requested', buildId: entry.buildId }];
}

/**
 * The cancelled run is finished; its build goes back to the head of the builders under a new
 * build id (ids are never reused: the cancelled run keeps the old one). Returns the entry that
 * now stands for the build.
 */
export function requeuePreempted(queue: PlatformQueue, entry: QueueEntry, ctx: QueueContext): { entry: QueueEntry; changes: QueueChange[] } {
  const changes = markFinished(queue, entry, 'cancelled', ctx.now, false);
  if (changes.length === 0) return { entry, changes };
  // A newer list queued the same port meanwhile: that pending build covers this one.
  const covering = entry.port === null ? undefined : queue.pendingByPort.get(coalesceKey(entry.port, entry.prNumber));
  if (covering !== undefined) return { entry: covering, changes };
  const requeued: QueueEntry = {
    ...entry,
    buildId: ctx.newBuildId(),
    state: 'pending',
    head: true,
    runId: null,
    lane: null,
    dispatchedAt: null,
    startedAt: null,
    cancelRequested: false,
  };
  indexEntry(queue, requeued);
  changes.push({ op: 'insert', entry: requeued });
  return { entry: requeued, changes };
}
