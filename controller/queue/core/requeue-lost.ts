import type { BuildResult } from '../../model/build-kind.ts';
import { markFinished } from './mark-run.ts';
import { coalesceKey, indexEntry, type PlatformQueue } from './platform-queue.ts';
import type { QueueChange } from './queue-change.ts';
import { buildRevision, type QueueContext } from './queue-context.ts';
import type { QueueEntry } from './queue-entry.ts';

/**
 * A run that ended without doing its build for a reason outside the port — its runner was
 * lost with its host, or a watcher could not hand its list over — is finished as it ended,
 * and the build goes back to the head of its class under a new build id (ids are never
 * reused). A watcher keeps its place among the watchers (its `seq`), so its ports are still
 * listed before newer revisions of them, and it lists them at the newest revision queued
 * since (a newer watcher or its builders): listed at its own, older one, its builders would
 * replace pending builds of newer revisions. Returns the entry that now stands for the build.
 */
export function requeueLost(queue: PlatformQueue, entry: QueueEntry, result: BuildResult, ctx: QueueContext): { entry: QueueEntry; changes: QueueChange[] } {
  const changes = markFinished(queue, entry, result, ctx.now, false);
  if (changes.length === 0) return { entry, changes };
  // A newer list queued the same port meanwhile: that pending build covers this one.
  const covering = entry.port === null ? undefined : queue.pendingByPort.get(coalesceKey(entry.port, entry.prNumber));
  if (covering !== undefined) return { entry: covering, changes };
  const requeued: QueueEntry = {
    ...entry,
    portsRevision: buildRevision(ctx, entry.port === null ? newestQueuedRevision(queue, entry) : entry.portsRevision, entry.prNumber),
    buildId: ctx.newBuildId(),
    state: 'pending',
    head: entry.port !== null,
    runId: null,
    lane: null,
    dispatchedAt: null,
    startedAt: null,
    listAccepted: false,
    cancelRequested: false,
  };
  indexEntry(queue, requeued);
  if (requeued.kind === 'watcher') queue.watchers.sort((a, b) => a.seq - b.seq);
  if (requeued.kind === 'pr-watcher') queue.prWatchers.sort((a, b) => a.seq - b.seq);
  changes.push({ op: 'insert', entry: requeued });
  return { entry: requeued, changes };
}

/** The revision of the entry queued last on the same tree (master, or the same PR) after `entry`; its own when none was. */
function newestQueuedRevision(queue: PlatformQueue, entry: QueueEntry): string {
  let newest = entry;
  for (const other of queue.entries.values()) {
    if (other.prNumber === entry.prNumber && other.seq > newest.seq) newest = other;
  }
  return newest.portsRevision;
}
