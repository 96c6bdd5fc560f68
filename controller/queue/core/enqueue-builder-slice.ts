import { heapPush } from './entry-heap.ts';
import { parkIfBlocked } from './dependency-wait.ts';
import { pendingEntry } from './pending-entry.ts';
import type { BuildersPlan } from './plan-builders.ts';
import { builderKey, coalesceKey, indexEntry, type PlatformQueue } from './platform-queue.ts';
import type { QueueChange } from './queue-change.ts';
import type { QueueContext } from './queue-context.ts';
import type { QueueEntry } from './queue-entry.ts';

export interface EnqueuedBuilders {
  readonly added: readonly QueueEntry[];
  /** Pending builders that now build the newer revision instead of being queued twice. */
  readonly coalesced: readonly QueueEntry[];
  readonly changes: readonly QueueChange[];
}

/**
 * Queues the planned builders `from` … `to` (exclusive). With coalescing a port already pending
 * gets the newer revision (newest wins) and keeps its place; a commit builder promotes a
 * pending rebuild builder of the same port to the commit class. A rebuild never duplicates a
 * pending build.
 */
export function enqueueBuilderSlice(queue: PlatformQueue, plan: BuildersPlan, from: number, to: number, ctx: QueueContext): EnqueuedBuilders {
  const { prNumber, portsRevision, builderClass } = plan;
  const added: QueueEntry[] = [];
  const coalesced: QueueEntry[] = [];
  const changes: QueueChange[] = [];
  for (let i = from; i < Math.min(to, plan.items.length); i += 1) {
    const item = plan.items[i];
    if (item === undefined) continue;
    const [port, listIndex, rank] = item;
    const existing = queue.policy.coalesce ? queue.pendingByPort.get(coalesceKey(port, prNumber)) : undefined;
    if (existing !== undefined) {
      existing.portsRevision = portsRevision;
      if (builderClass < existing.builderClass) {
        existing.builderClass = builderClass;
        heapPush(queue.builders, existing, builderKey(queue, existing));
      }
      coalesced.push(existing);
      changes.push({ op: 'coalesce', buildId: existing.buildId, portsRevision: existing.portsRevision, changedPorts: null, force: false, builderClass: existing.builderClass });
      continue;
    }
    const entry = pendingEntry({
      buildId: ctx.newBuildId(),
      platform: queue.platform,
      kind: prNumber === null ? 'builder' : 'pr-builder',
      port,
      portsRevision,
      seq: plan.seq,
      enqueuedAt: ctx.now,
      changedPorts: null,
      force: false,
      prNumber,
      origin: plan.origin,
      listIndex,
      rank,
      builderClass,
    });
    indexEntry(queue, entry);
    if (queue.policy.dependencySafe) parkIfBlocked(queue, entry);
    added.push(entry);
    changes.push({ op: 'insert', entry });
  }
  return { added, coalesced, changes };
}
