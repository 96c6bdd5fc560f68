import type { BuildId } from '../../model/build-id.ts';
import type { BuildResult } from '../../model/build-kind.ts';
import type { PortsGraph } from '../../ports/ports-graph.ts';
import { closureOf, dependentsOf } from './closure-cache.ts';
import { heapPush } from './entry-heap.ts';
import { builderKey, unpark, type PlatformQueue } from './platform-queue.ts';
import type { QueueChange } from './queue-change.ts';
import type { QueueEntry } from './queue-entry.ts';

/** The last build of a port on a platform, which failed: its dependents are blocked until the port builds. */
export interface FailedBuild {
  readonly port: string;
  readonly portsRevision: string;
  readonly buildId: BuildId;
}

/**
 * Why a pending builder may not start yet (policies with `dependencySafe`):
 * - `blocked`: a port of its dependency closure failed on this platform (at the revision
 *   named); it gets no VM until that port builds;
 * - `running`: that port (itself, or one of its dependency closure) is dispatched or running.
 * `on` is the graph id of the port waited for: its next finished build releases the waiter.
 */
export type DependencyWait =
  | { readonly kind: 'blocked'; readonly on: number; readonly port: string; readonly portsRevision: string }
  | { readonly kind: 'running'; readonly on: number; readonly port: string };

/** What examining a candidate found: the build to start (itself, or a pending dependency pulled forward), or what it waits for. */
export type Examined = { readonly pick: QueueEntry; readonly wait?: undefined } | { readonly pick?: undefined; readonly wait: DependencyWait };

/** Graph id → the master builder in flight for that port. */
export function inFlightPorts(queue: PlatformQueue, graph: PortsGraph): Map<number, QueueEntry> {
  const out = new Map<number, QueueEntry>();
  for (const entry of queue.inFlight) {
    if (entry.kind !== 'builder' || entry.port === null) continue;
    const id = graph.ids.get(entry.port.toLowerCase());
    if (id !== undefined) out.set(id, entry);
  }
  return out;
}

/**
 * Whether `candidate` may start: not while its own port or a port of its dependency closure
 * is in flight, has failed, or waits itself (a parked dependency); a pending dependency ranked
 * below it is pulled forward (the one with the smallest rank, so its own dependencies are not
 * pending). Pending dependencies ranked at or above it are members of a broken cycle and are
 * not waited for (waiting both ways round would stall the cycle). A preview passes `held`
 * (waits it found, on top of the queue's own) and `done` (builds it already placed, which
 * count as built).
 */
export function examine(
  queue: PlatformQueue,
  graph: PortsGraph,
  candidate: QueueEntry,
  inFlight: ReadonlyMap<number, QueueEntry>,
  held?: ReadonlyMap<BuildId, DependencyWait>,
  done?: ReadonlySet<string>,
): Examined {
  const id = candidate.port === null ? undefined : graph.ids.get(candidate.port.toLowerCase());
  if (id === undefined) return { pick: candidate };
  const self = inFlight.get(id);
  if (self !== undefined && self !== candidate) return { wait: { kind: 'running', on: id, port: self.port ?? '' } };
  const ownRank = graph.rank[id] ?? 0;
  let failed: { id: number; build: FailedBuild } | undefined;
  let running: number | undefined;
  let inherited: DependencyWait | undefined;
  let best: QueueEntry = candidate;
  for (const dep of closureOf(graph, id)) {
    const failure = queue.failed.get(dep);
    if (failure !== undefined) {
      if (failed === undefined || (graph.rank[dep] ?? 0) < (graph.rank[failed.id] ?? 0)) failed = { id: dep, build: failure };
      continue;
    }
    if (inFlight.has(dep)) {
      running ??= dep;
      continue;
    }
    const pending = queue.pendingByGraphId.get(dep);
    if (pending === undefined || (graph.rank[dep] ?? 0) >= ownRank || done?.has(pending.buildId) === true) continue;
    const wait = queue.waits.get(pending.buildId) ?? held?.get(pending.buildId);
    if (wait !== undefined) inherited ??= wait;
    else if (pending.rank < best.rank || best === candidate) best = pending;
  }
  if (failed !== undefined) return { wait: { kind: 'blocked', on: failed.id, port: failed.build.port, portsRevision: failed.build.portsRevision } };
  if (running !== undefined) return { wait: { kind: 'running', on: running, port: graph.names[running] ?? '' } };
  if (inherited !== undefined) return { wait: inherited };
  return { pick: best };
}

/** Sets a pending builder aside until the port it waits for finishes a build (out of the heap, still pending and coalescable). */
export function park(queue: PlatformQueue, entry: QueueEntry, wait: DependencyWait): void {
  unpark(queue, entry);
  queue.builders.live.delete(entry.buildId);
  queue.waits.set(entry.buildId, wait);
  const list = queue.parked.get(wait.on);
  if (list === undefined) queue.parked.set(wait.on, [entry]);
  else list.push(entry);
}

/** Everything parked on graph id `on` goes back into the heap at its own place; what still waits is parked again when met. */
function release(queue: PlatformQueue, on: number): void {
  const list = queue.parked.get(on);
  if (list === undefined) return;
  queue.parked.delete(on);
  for (const entry of list) {
    queue.waits.delete(entry.buildId);
    if (entry.state === 'pending') heapPush(queue.builders, entry, builderKey(queue, entry));
  }
}

/**
 * A master builder finished: its waiters are released; a success clears the port's failure
 * (its dependents are released), a failure records it and parks every pending dependent as
 * blocked. Other results (cancelled, a lost runner) say nothing about the port.
 */
export function settleDependents(queue: PlatformQueue, entry: QueueEntry, result: BuildResult | 'not-the-port'): QueueChange[] {
  const graph = queue.graph;
  if (!queue.policy.dependencySafe || graph === null || entry.kind !== 'builder' || entry.port === null) return [];
  const id = graph.ids.get(entry.port.toLowerCase());
  if (id === undefined) return [];
  release(queue, id);
  if (result === 'success') {
    if (!queue.failed.delete(id)) return [];
    return [{ op: 'port-built', platform: queue.platform, port: entry.port }];
  }
  if (result !== 'failure') return [];
  recordFailure(queue, graph, id, { port: entry.port, portsRevision: entry.portsRevision, buildId: entry.buildId });
  return [{ op: 'port-failed', platform: queue.platform, port: entry.port, portsRevision: entry.portsRevision, buildId: entry.buildId }];
}

/** Records a port's failure (also on load from the store) and parks its pending dependents as blocked by it. */
export function recordFailure(queue: PlatformQueue, graph: PortsGraph, id: number, build: FailedBuild): void {
  queue.failed.set(id, build);
  const wait: DependencyWait = { kind: 'blocked', on: id, port: build.port, portsRevision: build.portsRevision };
  for (const dependent of dependentsOf(graph, id)) {
    const pending = queue.pendingByGraphId.get(dependent);
    if (pending === undefined) continue;
    const current = queue.waits.get(pending.buildId);
    if (current?.kind === 'blocked') continue;
    park(queue, pending, wait);
  }
}

/** A builder just queued whose closure holds a failed port is parked as blocked at once, so the blocked count is exact. */
export function parkIfBlocked(queue: PlatformQueue, entry: QueueEntry): void {
  const graph = queue.graph;
  if (queue.failed.size === 0 || graph === null || entry.prNumber !== null || entry.port === null || queue.waits.has(entry.buildId)) return;
  const id = graph.ids.get(entry.port.toLowerCase());
  if (id === undefined) return;
  let blocker: number | undefined;
  for (const dep of closureOf(graph, id)) {
    if (queue.failed.has(dep) && (blocker === undefined || (graph.rank[dep] ?? 0) < (graph.rank[blocker] ?? 0))) blocker = dep;
  }
  const failure = blocker === undefined ? undefined : queue.failed.get(blocker);
  if (blocker === undefined || failure === undefined) return;
  park(queue, entry, { kind: 'blocked', on: blocker, port: failure.port, portsRevision: failure.portsRevision });
}
