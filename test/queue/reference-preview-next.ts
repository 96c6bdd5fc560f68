// The preview of the next builds as it was before issue #17's leftover (each step copied the
// pending heaps, O(n) per step): kept only as the reference the property test and the
// scheduler bench compare the production preview (select-next.ts, heap-in-order.ts) with.
// Do not "fix" it: it is the old answer, verbatim but for the heap copy and skip-peek now
// living here, and describeQueue as it was around it.
import type { BuildId } from '../../controller/model/build-id.ts';
import type { PortsGraph } from '../../controller/ports/ports-graph.ts';
import type { QueueStatus } from '../../controller/status/status-snapshot.ts';
import { closureOf } from '../../controller/queue/core/closure-cache.ts';
import { countPending } from '../../controller/queue/core/count-pending.ts';
import { examine, inFlightPorts, type DependencyWait } from '../../controller/queue/core/dependency-wait.ts';
import { describeBlocked } from '../../controller/queue/core/describe-blocked.ts';
import { compareKeys, type EntryHeap } from '../../controller/queue/core/entry-heap.ts';
import type { PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';

/** The old `heapCopy`: a copy of the item array (O(n)), the live map shared. */
function heapCopy(heap: EntryHeap): EntryHeap {
  return { items: heap.items.slice(), live: heap.live, stamps: heap.stamps };
}

/** The old `heapPeek(copy, skip)`: pops stale and skipped items off the copy until a live one is on top. */
function peekSkipping(heap: EntryHeap, skip: ReadonlySet<string>): QueueEntry | undefined {
  for (;;) {
    const top = heap.items[0];
    if (top === undefined) return undefined;
    if (heap.live.get(top.entry.buildId) === top.stamp && !skip.has(top.entry.buildId)) return top.entry;
    popTop(heap);
  }
}

function popTop(heap: EntryHeap): void {
  const items = heap.items;
  const last = items.pop();
  if (last === undefined || items.length === 0) return;
  items[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    const im = items[m];
    const il = items[l];
    const ir = items[r];
    if (il !== undefined && im !== undefined && compareKeys(il.key, im.key) < 0) m = l;
    const cur = items[m];
    if (ir !== undefined && cur !== undefined && compareKeys(ir.key, cur.key) < 0) m = r;
    if (m === i) return;
    const a = items[i];
    const b = items[m];
    if (a === undefined || b === undefined) return;
    items[i] = b;
    items[m] = a;
    i = m;
  }
}

function selectNextSkipping(queue: PlatformQueue, skip: ReadonlySet<string>): QueueEntry | null {
  const { policy } = queue;
  const watcher = queue.watchers.find((e) => !skip.has(e.buildId));
  if (watcher !== undefined && policy.watcherFirst) return watcher;
  const builder = nextBuilder(queue, skip);
  if (watcher !== undefined && builder === undefined) return watcher;
  const prRun = queue.prWatchers.find((e) => !skip.has(e.buildId)) ?? peekSkipping(heapCopy(queue.prBuilders), skip);
  if (prRun !== undefined && (builder === undefined || queue.masterSinceLastPr >= policy.prShare - 1)) return prRun;
  return builder ?? null;
}

function nextBuilder(queue: PlatformQueue, skip: ReadonlySet<string>): QueueEntry | undefined {
  const graph = queue.graph;
  if (queue.policy.dependencySafe && graph !== null) return previewReadyBuilder(queue, graph, skip);
  const builder = peekSkipping(heapCopy(queue.builders), skip);
  if (builder === undefined || !queue.policy.dependencyOrder || graph === null) return builder;
  if (queue.pendingLists.size <= 1 && queue.headPending === 0) return builder;
  return pullForward(queue, graph, builder, skip);
}

function previewReadyBuilder(queue: PlatformQueue, graph: PortsGraph, skip: ReadonlySet<string>): QueueEntry | undefined {
  const inFlight = inFlightPorts(queue, graph);
  const held = new Map<BuildId, DependencyWait>();
  const passed = new Set(skip);
  const builders = heapCopy(queue.builders);
  for (;;) {
    const candidate = peekSkipping(builders, passed);
    if (candidate === undefined) return undefined;
    const found = examine(queue, graph, candidate, inFlight, held, skip);
    if (found.pick !== undefined && !passed.has(found.pick.buildId)) return found.pick;
    if (found.wait !== undefined) held.set(candidate.buildId, found.wait);
    passed.add(candidate.buildId);
  }
}

function pullForward(queue: PlatformQueue, graph: PortsGraph, candidate: QueueEntry, skip: ReadonlySet<string>): QueueEntry {
  const id = candidate.port === null ? undefined : graph.ids.get(candidate.port.toLowerCase());
  if (id === undefined) return candidate;
  let best: QueueEntry = candidate;
  for (const dep of closureOf(graph, id)) {
    const pending = queue.pendingByGraphId.get(dep);
    if (pending === undefined || skip.has(pending.buildId)) continue;
    if (pending.rank < best.rank) best = pending;
  }
  return best;
}

/** The old `previewNext`: selectNext with the builds placed so far skipped, `count` times, each step on fresh copies of the heaps. */
export function referencePreviewNext(queue: PlatformQueue, count: number): QueueEntry[] {
  const skip = new Set<string>();
  const out: QueueEntry[] = [];
  const saved = queue.masterSinceLastPr;
  for (let i = 0; i < count; i++) {
    const next = selectNextSkipping(queue, skip);
    if (next === null) break;
    out.push(next);
    skip.add(next.buildId);
    queue.masterSinceLastPr = next.prNumber === null ? (next.kind === 'builder' ? queue.masterSinceLastPr + 1 : queue.masterSinceLastPr) : 0;
  }
  queue.masterSinceLastPr = saved;
  return out;
}

/** The old `describeQueue`: a scan of every entry for the oldest pending, the waits map copied whole for its first five, the reference preview. */
export function referenceDescribeQueue(queue: PlatformQueue, now: number): QueueStatus {
  const running = queue.inFlight[0];
  const blocked = describeBlocked(queue);
  let oldest: number | null = null;
  for (const entry of queue.entries.values()) {
    if (entry.state === 'pending' && (oldest === null || entry.enqueuedAt < oldest)) oldest = entry.enqueuedAt;
  }
  return {
    platform: queue.platform,
    running: running === undefined ? null : toStatusEntry(running),
    pending: countPending(queue),
    next: referencePreviewNext(queue, 5).map(toStatusEntry),
    oldestWaitSeconds: oldest === null ? null : Math.max(0, (now - oldest) / 1000),
    lanes: queue.lanes,
    inFlight: queue.inFlight.length,
    blocked: { total: blocked.total, byPort: blocked.byPort.slice(0, 10) },
    waiting: [...queue.waits].slice(0, 5).flatMap(([buildId, wait]) => {
      const port = queue.entries.get(buildId)?.port;
      return port == null ? [] : [{ port, waitsFor: wait.port, reason: wait.kind }];
    }),
  };
}

function toStatusEntry(entry: QueueEntry): QueueStatus['next'][number] {
  return {
    buildId: entry.buildId,
    kind: entry.kind,
    port: entry.port,
    portsRevision: entry.portsRevision,
    state: entry.state === 'finished' ? 'started' : entry.state,
    enqueuedAt: new Date(entry.enqueuedAt).toISOString(),
  };
}
