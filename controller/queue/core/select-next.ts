import type { BuildId } from '../../model/build-id.ts';
import type { PortsGraph } from '../../ports/ports-graph.ts';
import { closureOf } from './closure-cache.ts';
import { examine, inFlightPorts, park, type DependencyWait } from './dependency-wait.ts';
import { heapPeek, type EntryHeap } from './entry-heap.ts';
import { firstInOrder, heapInOrder } from './heap-in-order.ts';
import type { QueueEntry } from './queue-entry.ts';
import type { PlatformQueue } from './platform-queue.ts';

/**
 * The next build to dispatch on a platform, or null (every lane is busy, or nothing may start).
 *
 * 1. At most `lanes` runs in flight (`platforms[].parallelBuilds`, 1 by default).
 * 2. The oldest pending master watcher takes the next free lane (policies with
 *    `watcherFirst`; buildbot as deployed instead runs a watcher only once every earlier
 *    builder has finished); one master watcher at a time, so lists arrive in commit order.
 * 3. PR fair share: after `prShare - 1` master runs, a waiting PR run goes (PR watcher first);
 *    PR runs also go whenever no master builder can.
 * 4. The master builder with the smallest key (head-of-line, class, list arrival, rank,
 *    list index); if a dependency of it is still pending (queued by another list, by the
 *    rebuild, or behind a head-of-line builder) the pending dependency with the smallest rank
 *    is pulled forward. With `dependencySafe`, a builder whose own port or a port of its
 *    dependency closure is in flight or failed is parked (see dependency-wait.ts) and the next
 *    one is looked at.
 */
export function selectNext(queue: PlatformQueue, skip?: ReadonlySet<string>): QueueEntry | null {
  const previewing = skip !== undefined;
  if (!previewing && queue.inFlight.length >= queue.lanes) return null;
  const { policy } = queue;
  const watcherRunning = !previewing && queue.inFlight.some((e) => e.kind === 'watcher');
  const watcher = watcherRunning ? undefined : firstNotSkipped(queue.watchers, skip);
  if (watcher !== undefined && policy.watcherFirst) return watcher;
  const builder = nextBuilder(queue, skip);
  if (watcher !== undefined && builder === undefined) return watcher;
  const prRun = firstNotSkipped(queue.prWatchers, skip) ?? (skip === undefined ? heapPeek(queue.prBuilders) : firstInOrder(queue.prBuilders, skip));
  if (prRun !== undefined && (builder === undefined || queue.masterSinceLastPr >= policy.prShare - 1)) return prRun;
  return builder ?? null;
}

function nextBuilder(queue: PlatformQueue, skip: ReadonlySet<string> | undefined): QueueEntry | undefined {
  const graph = queue.graph;
  if (queue.policy.dependencySafe && graph !== null) return skip === undefined ? readyBuilder(queue, graph) : previewReadyBuilder(queue, graph, skip);
  const builder = skip === undefined ? heapPeek(queue.builders) : firstInOrder(queue.builders, skip);
  if (builder === undefined || !queue.policy.dependencyOrder || graph === null) return builder;
  // With a single list pending and no head-of-line builder, the heap top has the smallest rank
  // of everything pending, so none of its dependencies can be waiting.
  if (queue.pendingLists.size <= 1 && queue.headPending === 0) return builder;
  return pullForward(queue, graph, builder, skip);
}

/** The first builder in key order that may start, parking those that wait on the way (each is parked once per wait). */
function readyBuilder(queue: PlatformQueue, graph: PortsGraph): QueueEntry | undefined {
  const inFlight = inFlightPorts(queue, graph);
  for (;;) {
    const candidate = heapPeek(queue.builders);
    if (candidate === undefined) return undefined;
    const found = examine(queue, graph, candidate, inFlight);
    if (found.pick !== undefined) return found.pick;
    park(queue, candidate, found.wait);
  }
}

/**
 * readyBuilder without touching the queue: the builds in `skip` (placed earlier in the preview)
 * count as built, as they would be one lane on; waits found are held in a local map. The heap
 * is read in key order in place (heapInOrder), never copied.
 */
function previewReadyBuilder(queue: PlatformQueue, graph: PortsGraph, skip: ReadonlySet<string>): QueueEntry | undefined {
  const inFlight = inFlightPorts(queue, graph);
  const held = new Map<BuildId, DependencyWait>();
  const passed = new Set(skip);
  for (const candidate of heapInOrder(queue.builders)) {
    if (passed.has(candidate.buildId)) continue;
    const found = examine(queue, graph, candidate, inFlight, held, skip);
    if (found.pick !== undefined && !passed.has(found.pick.buildId)) return found.pick;
    if (found.wait !== undefined) held.set(candidate.buildId, found.wait);
    passed.add(candidate.buildId);
  }
  return undefined;
}

function firstNotSkipped(list: readonly QueueEntry[], skip: ReadonlySet<string> | undefined): QueueEntry | undefined {
  return skip === undefined ? list[0] : list.find((e) => !skip.has(e.buildId));
}

/**
 * The pending dependency of `candidate` with the smallest rank below its own, or `candidate`
 * when none is pending. Below its own: inside a broken cycle a member also "depends" on the
 * members ranked after it, and pulling those forward would break the cycle the other way
 * round whenever a second list happens to be pending (the walk is skipped with one list).
 */
function pullForward(queue: PlatformQueue, graph: PortsGraph, candidate: QueueEntry, skip: ReadonlySet<string> | undefined): QueueEntry {
  const id = candidate.port === null ? undefined : graph.ids.get(candidate.port.toLowerCase());
  if (id === undefined) return candidate;
  let best: QueueEntry = candidate;
  for (const dep of closureOf(graph, id)) {
    const pending = queue.pendingByGraphId.get(dep);
    if (pending === undefined || skip?.has(pending.buildId) === true) continue;
    if (pending.rank < best.rank) best = pending;
  }
  return best;
}

/**
 * The next `count` builds in the order they would be dispatched, one after the other, if nothing
 * else arrived. Each step reads the heaps in place from their top (heapInOrder): O(m log m) for
 * the m items it passes, not a copy of the 41,548-entry heap per step (the status snapshot asks
 * at every scheduling round).
 */
export function previewNext(queue: PlatformQueue, count: number): QueueEntry[] {
  const skip = new Set<string>();
  const out: QueueEntry[] = [];
  const saved = queue.masterSinceLastPr;
  for (let i = 0; i < count; i++) {
    const next = selectNext(queue, skip);
    if (next === null) break;
    out.push(next);
    skip.add(next.buildId);
    queue.masterSinceLastPr = next.prNumber === null ? (next.kind === 'builder' ? queue.masterSinceLastPr + 1 : queue.masterSinceLastPr) : 0;
  }
  queue.masterSinceLastPr = saved;
  return out;
}

export type { EntryHeap };
