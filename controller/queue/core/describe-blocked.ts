import type { PlatformQueue } from './platform-queue.ts';
import type { QueueEntry } from './queue-entry.ts';

export interface BlockedSummary {
  /** Pending builders held because a port of their dependency closure failed. */
  readonly total: number;
  /** Per failed port, most blocked first: the port, the revision it failed at, how many it holds. */
  readonly byPort: readonly { readonly port: string; readonly portsRevision: string; readonly count: number }[];
}

/**
 * The blocked builders of a platform by the failed port that holds each (the failed port of
 * its closure with the smallest rank). Exact: a builder is parked as blocked when the failure
 * is recorded or when it is queued after it.
 */
export function describeBlocked(queue: PlatformQueue): BlockedSummary {
  const counts = new Map<number, { port: string; portsRevision: string; count: number }>();
  let total = 0;
  for (const wait of queue.waits.values()) {
    if (wait.kind !== 'blocked') continue;
    total += 1;
    const seen = counts.get(wait.on);
    if (seen === undefined) counts.set(wait.on, { port: wait.port, portsRevision: wait.portsRevision, count: 1 });
    else seen.count += 1;
  }
  const byPort = [...counts.values()].sort((a, b) => b.count - a.count || a.port.localeCompare(b.port));
  return { total, byPort };
}

/** The pending builders held because a dependency failed, each with the failed port that holds it. */
export function blockedBuilds(queue: PlatformQueue): { readonly entry: QueueEntry; readonly blockedBy: string }[] {
  return [...queue.waits].flatMap(([buildId, wait]) => {
    const entry = queue.entries.get(buildId);
    return wait.kind !== 'blocked' || entry === undefined ? [] : [{ entry, blockedBy: wait.port }];
  });
}
