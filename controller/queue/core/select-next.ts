import { dependencyClosure } from '../../ports/dependency-closure.ts';
import type { PortsGraph } from '../../ports/ports-graph.ts';
import { heapCopy, heapPeek, type EntryHeap } from './entry-heap.ts';
import type { QueueEntry } from './queue-entry.ts';
import type { PlatformQueue } from './platform-queue.ts';

/**
 * The next build to dispatch on a platform, or null (something is in flight, or nothing waits).
 *
 * 1. At most one run in flight.
 * 2. The oldest pending master watcher (policies with `watcherFirst`; buildbot as deployed
 *    instead runs a watcher only once every earlier builder has finished).
 * 3. PR fair share: after `prShare - 1` master runs, a waiting PR run goes (PR watcher first);
 *    PR runs also go whenever no master builder waits.
 * 4. The master builder with the smallest key (head-of-line, class, list arrival, rank,
 *    list index); if a dependency of it is still pending (queued by another list, by the
 *    rebuild, or behind a head-of-line builder) the pending dependency with the smallest rank
 *    is pulled forward.
 */
export function selectNext(queue: PlatformQueue, skip?: ReadonlySet<string>): QueueEntry | null {
  if (queue.inFlight.length > 0 && skip === undefined) return null;
  const { policy } = queue;
  const watcher = firstNotSkipped(queue.watchers, skip);
  if (watcher !== undefined && policy.watcherFirst) return watcher;
  const builders = skip === undefined ? queue.builders : heapCopy(queue.builders);
  const builder = heapPeek(builders, skip);
  if (watcher !== undefined && builder === undefined) return watcher;
  const prRun = firstNotSkipped(queue.prWatchers, skip) ?? heapPeek(skip === undefined ? queue.prBuilders : heapCopy(queue.prBuilders), skip);
  if (prRun !== undefined && (builder === undefined || queue.masterSinceLastPr >= policy.prShare - 1)) return prRun;
  if (builder === undefined) return null;
  if (!policy.dependencyOrder || queue.graph === null) return builder;
  // With a single list pending and no head-of-line builder, the heap top has the smallest rank
  // of everything pending, so none of its dependencies can be waiting.
  if (queue.pendingLists.size <= 1 && queue.headPending === 0) return builder;
  return pullForward(queue, queue.graph, builder, skip);
}

function firstNotSkipped(list: readonly QueueEntry[], skip: ReadonlySet<string> | undefined): QueueEntry | undefined {
  return skip === undefined ? list[0] : list.find((e) => !skip.has(e.buildId));
}

const closures = new WeakMap<PortsGraph, Map<number, number[]>>();

/**
 * The pending dependency of `candidate` with the smallest rank below its own, or `candidate`
 * when none is pending. Below its own: inside a broken cycle a member also "depends" on the
 * members ranked after it, and pulling those forward would break the cycle the other way
 * round whenever a second list happens to be pending (the walk is skipped with one list).
 */
function pullForward(queue: PlatformQueue, graph: PortsGraph, candidate: QueueEntry, skip: ReadonlySet<string> | undefined): QueueEntry {
  const id = candidate.port === null ? undefined : graph.ids.get(candidate.port.toLowerCase());
  if (id === undefined) return candidate;
  let cache = closures.get(graph);
  if (cache === undefined) {
    cache = new Map();
    closures.set(graph, cache);
  }
  let closure = cache.get(id);
  if (closure === undefined) {
    closure = dependencyClosure(graph, id);
    cache.set(id, closure);
  }
  let best: QueueEntry = candidate;
  for (const dep of closure) {
    const pending = queue.pendingByGraphId.get(dep);
    if (pending === undefined || skip?.has(pending.buildId) === true) continue;
    if (pending.rank < best.rank) best = pending;
  }
  return best;
}

/** The next `count` builds in the order they would be dispatched if nothing else arrived. */
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
