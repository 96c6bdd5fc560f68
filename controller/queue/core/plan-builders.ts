import type { BuildId } from '../../model/build-id.ts';
import { buildRevision, type QueueContext } from './queue-context.ts';
import type { BuilderClass, QueueEntry } from './queue-entry.ts';
import type { PlatformQueue } from './platform-queue.ts';

/** One port of a list as it becomes a builder: its name, its place in the watcher's list, its dependency rank. */
export type PlannedBuilder = readonly [port: string, listIndex: number, rank: number];

/**
 * A watcher's list made ready to become builders, slice by slice: everything a builder takes
 * from its list is decided here, once (the list's enqueue number, the revision, the class), so
 * a list turned into builders over several transactions — or resumed after a restart, from
 * the plan kept in the store — makes the same builders as one turned at once.
 */
export interface BuildersPlan {
  readonly platform: string;
  /** The watcher whose list this is. */
  readonly origin: BuildId;
  readonly prNumber: number | null;
  readonly seq: number;
  readonly portsRevision: string;
  readonly builderClass: BuilderClass;
  /**
   * In the order they are queued: the list's order when it is queued at once; by dependency
   * rank when it is queued in slices, so a builder queued by an early slice never has a
   * dependency that a later slice will queue (it could otherwise start before it).
   */
  readonly items: readonly PlannedBuilder[];
}

/**
 * Plans the builders of `origin`'s list (takes the list's enqueue number). Ports the graph does
 * not know (new ports) take the rank of the port listed before them, so the watcher's order
 * still holds for them. `byRank`: order the items by rank (stable: list order among equals).
 */
export function planBuilders(queue: PlatformQueue, origin: QueueEntry, request: { readonly portsRevision: string; readonly ports: readonly string[] }, ctx: QueueContext, byRank: boolean): BuildersPlan {
  const prNumber = origin.prNumber;
  const graph = queue.graph;
  let previousRank = -1;
  const items: PlannedBuilder[] = request.ports.map((port, listIndex) => {
    const id = graph?.ids.get(port.toLowerCase());
    const rank = id === undefined ? previousRank : (graph?.rank[id] ?? previousRank);
    previousRank = rank;
    return [port, listIndex, rank];
  });
  if (byRank) items.sort((a, b) => a[2] - b[2] || a[1] - b[1]);
  return {
    platform: queue.platform,
    origin: origin.buildId,
    prNumber,
    seq: queue.nextSeq++,
    portsRevision: buildRevision(ctx, request.portsRevision, prNumber),
    builderClass: origin.force && prNumber === null ? 1 : 0,
    items,
  };
}
