import type { QueueChange } from './queue-change.ts';
import type { QueueEntry } from './queue-entry.ts';
import { unindexPending, type PlatformQueue } from './platform-queue.ts';

/**
 * Records the intent to dispatch `entry` (state `dispatched`, no run id yet). The store
 * commits this before the gateway is called, so a restart looks for the build id among
 * GitHub's runs instead of dispatching it again.
 */
export function markDispatching(queue: PlatformQueue, entry: QueueEntry, now: number): QueueChange[] {
  if (entry.state !== 'pending') throw new Error(`build ${entry.buildId} is ${entry.state}, not pending; only a pending build is dispatched`);
  unindexPending(queue, entry);
  entry.state = 'dispatched';
  entry.dispatchedAt = now;
  entry.lane = freeLane(queue);
  queue.inFlight.push(entry);
  if (entry.prNumber !== null) queue.masterSinceLastPr = 0;
  else if (entry.kind === 'builder') queue.masterSinceLastPr += 1;
  return [
    { op: 'dispatching', buildId: entry.buildId, at: now, lane: entry.lane },
    { op: 'pr-counter', platform: queue.platform, masterSinceLastPr: queue.masterSinceLastPr },
  ];
}

/** The lowest lane no run in flight holds (a run reloaded without one, from before lanes, holds lane 0). */
function freeLane(queue: PlatformQueue): number {
  const taken = new Set(queue.inFlight.map((e) => e.lane ?? 0));
  let lane = 0;
  while (taken.has(lane)) lane += 1;
  return lane;
}
