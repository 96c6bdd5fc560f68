import { expandSubports } from '../../ports/expand-subports.ts';
import { coalesceKey, type PlatformQueue } from './platform-queue.ts';
import { heapSize } from './entry-heap.ts';

export interface PendingCount {
  readonly watchers: number;
  /**
   * Master builders that will run without anything else happening first: those in the heap and
   * those set aside until a dependency in flight finishes. Builders blocked by a failed
   * dependency are not here (they wait for a fix): the status counts them as `blocked.total`.
   */
  readonly builders: number;
  /** PR watchers and PR builders. */
  readonly pr: number;
  /** Builders the pending master watchers are expected to add. */
  readonly estimatedFromWatchers: number;
}

/**
 * The exact pending count (counted from the queue's own indexes, not guessed) plus an
 * estimate for watchers not run yet: the ports they name with their subports (what
 * `mpbb list-subports` lists; MacPorts does not rebuild dependents unless a commit bumps
 * them), less those already pending (coalesced). A forced rebuild counts every port in the
 * graph; a watcher that does not know its ports yet counts 0.
 */
export function countPending(queue: PlatformQueue): PendingCount {
  let behindRunning = 0;
  for (const wait of queue.waits.values()) if (wait.kind === 'running') behindRunning += 1;
  const builders = heapSize(queue.builders) + behindRunning;
  const pr = queue.prWatchers.length + heapSize(queue.prBuilders);
  let estimate = 0;
  const counted = new Set<string>();
  for (const watcher of queue.watchers) {
    if (watcher.force) {
      estimate = Math.max(0, (queue.graph?.names.length ?? 0) - builders);
      break;
    }
    const ports = watcher.changedPorts ?? [];
    for (const port of queue.graph === null ? ports : expandSubports(queue.graph, ports)) {
      const key = coalesceKey(port, null);
      if (counted.has(key) || (queue.policy.coalesce && queue.pendingByPort.has(key))) continue;
      counted.add(key);
      estimate += 1;
    }
  }
  return { watchers: queue.watchers.length, builders, pr, estimatedFromWatchers: estimate };
}
