import type { QueueChange } from './queue-change.ts';
import { buildRevision, type QueueContext } from './queue-context.ts';
import type { BuilderClass, QueueEntry } from './queue-entry.ts';
import { builderKey, coalesceKey, indexEntry, type PlatformQueue } from './platform-queue.ts';
import { heapPush } from './entry-heap.ts';
import { pendingEntry } from './pending-entry.ts';
import { parkIfBlocked } from './dependency-wait.ts';

export interface BuildersRequest {
  /** The watcher whose list this is. */
  readonly origin: QueueEntry;
  readonly portsRevision: string;
  /** In dependency order, as `mpbb list-subports` printed them. */
  readonly ports: readonly string[];
}

export interface EnqueuedBuilders {
  readonly added: readonly QueueEntry[];
  /** Pending builders that now build the newer revision instead of being queued twice. */
  readonly coalesced: readonly QueueEntry[];
  readonly changes: readonly QueueChange[];
}

/**
 * Turns a watcher's port list into builders. With coalescing a port already pending gets the
 * newer revision (newest wins) and keeps its place; a commit builder promotes a pending
 * rebuild builder of the same port to the commit class. A rebuild never duplicates a
 * pending build. Ports the graph does not know (new ports) take the rank of the port listed
 * before them, so the watcher's order still holds for them.
 */
export function enqueueBuilders(queue: PlatformQueue, request: BuildersRequest, ctx: QueueContext): EnqueuedBuilders {
  const { origin } = request;
  const prNumber = origin.prNumber;
  const builderClass: BuilderClass = origin.force && prNumber === null ? 1 : 0;
  const seq = queue.nextSeq++;
  const portsRevision = buildRevision(ctx, request.portsRevision, prNumber);
  const added: QueueEntry[] = [];
  const coalesced: QueueEntry[] = [];
  const changes: QueueChange[] = [];
  const graph = queue.graph;
  let previousRank = -1;
  request.ports.forEach((port, listIndex) => {
    const id = graph?.ids.get(port.toLowerCase());
    const rank = id === undefined ? previousRank : (graph?.rank[id] ?? previousRank);
    previousRank = rank;
    const existing = queue.policy.coalesce ? queue.pendingByPort.get(coalesceKey(port, prNumber)) : undefined;
    if (existing !== undefined) {
      existing.portsRevision = portsRevision;
      if (builderClass < existing.builderClass) {
        existing.builderClass = builderClass;
        heapPush(queue.builders, existing, builderKey(queue, existing));
      }
      coalesced.push(existing);
      changes.push({ op: 'coalesce', buildId: existing.buildId, portsRevision: existing.portsRevision, changedPorts: null, force: false, builderClass: existing.builderClass });
      return;
    }
    const entry = pendingEntry({
      buildId: ctx.newBuildId(),
      platform: queue.platform,
      kind: prNumber === null ? 'builder' : 'pr-builder',
      port,
      portsRevision,
      seq,
      enqueuedAt: ctx.now,
      changedPorts: null,
      force: false,
      prNumber,
      origin: origin.buildId,
      listIndex,
      rank,
      builderClass,
    });
    indexEntry(queue, entry);
    if (queue.policy.dependencySafe) parkIfBlocked(queue, entry);
    added.push(entry);
    changes.push({ op: 'insert', entry });
  });
  origin.listAccepted = true;
  changes.push({ op: 'list-accepted', buildId: origin.buildId });
  return { added, coalesced, changes };
}
