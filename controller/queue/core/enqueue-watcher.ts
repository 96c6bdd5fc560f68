import type { QueueChange } from './queue-change.ts';
import { buildRevision, type QueueContext } from './queue-context.ts';
import type { QueueEntry } from './queue-entry.ts';
import { pendingEntry } from './pending-entry.ts';
import { indexEntry, type PlatformQueue } from './platform-queue.ts';

export interface WatcherRequest {
  readonly portsRevision: string;
  /** Ports the commits touched when the webhook knows them; null: the watcher works them out. */
  readonly changedPorts: readonly string[] | null;
  readonly force: boolean;
  readonly prNumber: number | null;
}

/**
 * Queues a watcher. With coalescing, a pending watcher of the same tree (master, or the same
 * PR) absorbs the new one: newest revision, union of ports (unknown if either is unknown),
 * force if either forces; it keeps its place (the oldest waiting watcher goes first).
 */
export function enqueueWatcher(queue: PlatformQueue, request: WatcherRequest, ctx: QueueContext): { entry: QueueEntry; changes: QueueChange[] } {
  const portsRevision = buildRevision(ctx, request.portsRevision, request.prNumber);
  const pending = request.prNumber === null ? queue.watchers : queue.prWatchers.filter((w) => w.prNumber === request.prNumber);
  const into = queue.policy.coalesce ? pending[pending.length - 1] : undefined;
  if (into !== undefined) {
    into.portsRevision = portsRevision;
    into.changedPorts = into.changedPorts === null || request.changedPorts === null ? null : union(into.changedPorts, request.changedPorts);
    into.force = into.force || request.force;
    if (into.force) into.changedPorts = null;
    const change: QueueChange = {
      op: 'coalesce',
      buildId: into.buildId,
      portsRevision: into.portsRevision,
      changedPorts: into.changedPorts,
      force: into.force,
      builderClass: into.builderClass,
    };
    return { entry: into, changes: [change] };
  }
  const entry = pendingEntry({
    buildId: ctx.newBuildId(),
    platform: queue.platform,
    kind: request.prNumber === null ? 'watcher' : 'pr-watcher',
    port: null,
    portsRevision,
    seq: queue.nextSeq,
    enqueuedAt: ctx.now,
    changedPorts: request.force ? null : request.changedPorts,
    force: request.force,
    prNumber: request.prNumber,
    origin: null,
    listIndex: 0,
    rank: 0,
    builderClass: 0,
  });
  indexEntry(queue, entry);
  return { entry, changes: [{ op: 'insert', entry }] };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set(a.map((p) => p.toLowerCase()));
  return [...a, ...b.filter((p) => !seen.has(p.toLowerCase()) && (seen.add(p.toLowerCase()), true))];
}
