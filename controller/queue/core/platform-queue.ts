import type { BuildId } from '../../model/build-id.ts';
import type { PortsGraph } from '../../ports/ports-graph.ts';
import { createEntryHeap, heapPush, type EntryHeap, type EntryKey } from './entry-heap.ts';
import type { QueueEntry } from './queue-entry.ts';
import type { QueuePolicy } from './queue-policy.ts';
import type { DependencyWait, FailedBuild } from './dependency-wait.ts';

/**
 * The in-memory queue of one platform: every build not finished yet, indexed for the rules.
 * Built from store rows on start; the core functions keep it and the store in step.
 */
export interface PlatformQueue {
  readonly platform: string;
  readonly policy: QueuePolicy;
  /** The ports graph for dependency order; null orders builders by watcher list only. */
  readonly graph: PortsGraph | null;
  readonly entries: Map<BuildId, QueueEntry>;
  /** Pending master watchers, oldest first. */
  readonly watchers: QueueEntry[];
  /** Pending PR watchers, oldest first. */
  readonly prWatchers: QueueEntry[];
  readonly builders: EntryHeap;
  readonly prBuilders: EntryHeap;
  /** `coalesceKey` → the one pending builder of that port (portfarm policy only). */
  readonly pendingByPort: Map<string, QueueEntry>;
  /** Graph id → the pending master builder of that port (portfarm policy only): the dependency walk's index. */
  readonly pendingByGraphId: Map<number, QueueEntry>;
  /** Runs dispatched or started (more than one only if something broke the rule; the property tests check). */
  readonly inFlight: QueueEntry[];
  nextSeq: number;
  /** Master runs dispatched since the last PR run (the PR fair share). */
  masterSinceLastPr: number;
  /** Pending head-of-line builders: when 0 (and one list is pending), the heap top needs no dependency walk. */
  headPending: number;
  /** Pending master builders per list (seq): with one list pending, its rank order alone keeps dependencies first. */
  readonly pendingLists: Map<number, number>;
  /** Runs that may be in flight at once (`platforms[].parallelBuilds`); 1 is one run per platform. */
  readonly lanes: number;
  /** Graph id → the last build of that port on this platform, when it failed (policies with `dependencySafe`). */
  readonly failed: Map<number, FailedBuild>;
  /**
   * Pending master builders set aside because a port of their dependency closure failed or is
   * in flight, by the graph id they wait for; they go back into the heap when that port's
   * build finishes. Not persisted: after a restart they are set aside again when met.
   */
  readonly parked: Map<number, QueueEntry[]>;
  /** Build id of a parked builder → what it waits for. */
  readonly waits: Map<BuildId, DependencyWait>;
  /**
   * `enqueuedAt` → how many pending entries (of any kind, parked ones too) were queued then:
   * the status's oldest wait is the smallest key, found among a few enqueue times (one per
   * watcher, list or slice) instead of a scan of every entry at every scheduling round.
   */
  readonly pendingSince: Map<number, number>;
}

export function createPlatformQueue(platform: string, policy: QueuePolicy, graph: PortsGraph | null, lanes = 1): PlatformQueue {
  if (!Number.isInteger(lanes) || lanes < 1) throw new Error(`parallel builds on ${platform} is ${String(lanes)}; it must be a whole number of at least 1`);
  return {
    platform,
    policy,
    graph,
    entries: new Map(),
    watchers: [],
    prWatchers: [],
    builders: createEntryHeap(),
    prBuilders: createEntryHeap(),
    pendingByPort: new Map(),
    pendingByGraphId: new Map(),
    inFlight: [],
    nextSeq: 1,
    masterSinceLastPr: 0,
    headPending: 0,
    pendingLists: new Map(),
    lanes,
    failed: new Map(),
    parked: new Map(),
    waits: new Map(),
    pendingSince: new Map(),
  };
}

/** One pending build per port and class of tree: master, or one PR's head. */
export function coalesceKey(port: string, prNumber: number | null): string {
  return `${prNumber === null ? 'm' : String(prNumber)}:${port.toLowerCase()}`;
}

/** Sort key of a pending builder; smaller goes first. */
export function builderKey(queue: PlatformQueue, entry: QueueEntry): EntryKey {
  if (entry.prNumber !== null) return [entry.seq, entry.rank, entry.listIndex];
  if (!queue.policy.dependencyOrder) return [entry.head ? 0 : 1, entry.seq, entry.listIndex];
  // Lists in arrival order, dependency rank inside a list: ranking across lists would starve a
  // port with many dependencies behind every newer list. A dependency queued by another list
  // is pulled forward by selectNext instead.
  return [entry.head ? 0 : 1, entry.builderClass, entry.seq, entry.rank, entry.listIndex];
}

/** Puts an entry (new, reloaded or requeued) into the indexes for its kind and state. */
export function indexEntry(queue: PlatformQueue, entry: QueueEntry): void {
  queue.entries.set(entry.buildId, entry);
  queue.nextSeq = Math.max(queue.nextSeq, entry.seq + 1);
  if (entry.state !== 'pending') {
    queue.inFlight.push(entry);
    return;
  }
  queue.pendingSince.set(entry.enqueuedAt, (queue.pendingSince.get(entry.enqueuedAt) ?? 0) + 1);
  if (entry.kind === 'watcher') queue.watchers.push(entry);
  else if (entry.kind === 'pr-watcher') queue.prWatchers.push(entry);
  else {
    heapPush(entry.prNumber === null ? queue.builders : queue.prBuilders, entry, builderKey(queue, entry));
    if (queue.policy.coalesce && entry.port !== null) {
      queue.pendingByPort.set(coalesceKey(entry.port, entry.prNumber), entry);
      const id = entry.prNumber === null ? queue.graph?.ids.get(entry.port.toLowerCase()) : undefined;
      if (id !== undefined) queue.pendingByGraphId.set(id, entry);
    }
    if (entry.head) queue.headPending += 1;
    if (entry.prNumber === null) queue.pendingLists.set(entry.seq, (queue.pendingLists.get(entry.seq) ?? 0) + 1);
  }
}

/** Takes a pending entry out of the pending indexes (it is being dispatched or dropped). */
export function unindexPending(queue: PlatformQueue, entry: QueueEntry): void {
  const since = (queue.pendingSince.get(entry.enqueuedAt) ?? 1) - 1;
  if (since === 0) queue.pendingSince.delete(entry.enqueuedAt);
  else queue.pendingSince.set(entry.enqueuedAt, since);
  if (entry.kind === 'watcher' || entry.kind === 'pr-watcher') {
    const list = entry.kind === 'watcher' ? queue.watchers : queue.prWatchers;
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
    return;
  }
  const heap = entry.prNumber === null ? queue.builders : queue.prBuilders;
  heap.live.delete(entry.buildId);
  unpark(queue, entry);
  if (entry.port !== null) {
    const key = coalesceKey(entry.port, entry.prNumber);
    if (queue.pendingByPort.get(key) === entry) queue.pendingByPort.delete(key);
    const id = entry.prNumber === null ? queue.graph?.ids.get(entry.port.toLowerCase()) : undefined;
    if (id !== undefined && queue.pendingByGraphId.get(id) === entry) queue.pendingByGraphId.delete(id);
  }
  if (entry.head) queue.headPending -= 1;
  if (entry.prNumber === null) {
    const left = (queue.pendingLists.get(entry.seq) ?? 1) - 1;
    if (left === 0) queue.pendingLists.delete(entry.seq);
    else queue.pendingLists.set(entry.seq, left);
  }
}

/** Takes a builder out of the parked index (it is dispatched, dropped, or goes back to the heap). */
export function unpark(queue: PlatformQueue, entry: QueueEntry): void {
  const wait = queue.waits.get(entry.buildId);
  if (wait === undefined) return;
  queue.waits.delete(entry.buildId);
  const list = queue.parked.get(wait.on);
  const at = list?.indexOf(entry) ?? -1;
  if (list !== undefined && at >= 0) list.splice(at, 1);
  if (list?.length === 0) queue.parked.delete(wait.on);
}
