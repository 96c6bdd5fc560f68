import { createPlatformQueue, indexEntry, type PlatformQueue } from './platform-queue.ts';
import type { QueueEntry } from './queue-entry.ts';

/**
 * A copy of a platform's queue that the core's own functions can run on (selectNext,
 * markDispatching, markFinished) without touching the original: every entry is copied and
 * indexed again, the graph and policy are shared. The ETA projection replays the queue on it,
 * so the order it projects is the order the core really takes. A field added to PlatformQueue
 * that carries state (not derived from the entries) must be copied here too.
 */
export function cloneQueue(queue: PlatformQueue): { readonly copy: PlatformQueue; readonly originals: ReadonlyMap<QueueEntry, QueueEntry> } {
  const copy = createPlatformQueue(queue.platform, queue.policy, queue.graph, queue.lanes);
  const originals = new Map<QueueEntry, QueueEntry>();
  // Index in enqueue order: the watcher lists keep their order, and heap ties resolve as in the original.
  const entries = [...queue.entries.values()].sort((a, b) => a.seq - b.seq || a.listIndex - b.listIndex);
  for (const entry of entries) {
    const clone = { ...entry };
    originals.set(clone, entry);
    indexEntry(copy, clone);
  }
  copy.nextSeq = queue.nextSeq;
  copy.masterSinceLastPr = queue.masterSinceLastPr;
  // Failed ports block their dependents in the copy too; parked builders need no copy: the copy's selectNext sets them aside again when it meets them.
  for (const [id, failed] of queue.failed) copy.failed.set(id, failed);
  return { copy, originals };
}
