import type { BuildResult } from '../../model/build-kind.ts';
import type { QueueChange } from './queue-change.ts';
import type { QueueEntry } from './queue-entry.ts';
import { settleDependents } from './dependency-wait.ts';
import type { PlatformQueue } from './platform-queue.ts';

/**
 * The run transitions after dispatch: dispatched → (run id known) → started → finished.
 * Each returns no change when the event is a repeat (webhooks are delivered at least once).
 */
export function markDispatched(entry: QueueEntry, runId: number): QueueChange[] {
  if (entry.state !== 'dispatched' || entry.runId !== null) return [];
  entry.runId = runId;
  return [{ op: 'dispatched', buildId: entry.buildId, runId }];
}

export function markStarted(entry: QueueEntry, now: number): QueueChange[] {
  if (entry.state !== 'dispatched') return [];
  entry.state = 'started';
  entry.startedAt = now;
  // A runner took it before the cancel landed: a running builder is never cancelled or requeued.
  entry.cancelRequested = false;
  return [{ op: 'started', buildId: entry.buildId, at: now }];
}

/**
 * `aboutThePort` false: the run ended for a reason outside the port (a lost runner, a cancel),
 * so a `failure` result does not block the port's dependents.
 */
export function markFinished(queue: PlatformQueue, entry: QueueEntry, result: BuildResult, now: number, aboutThePort = true): QueueChange[] {
  if (entry.state !== 'dispatched' && entry.state !== 'started') return [];
  entry.state = 'finished';
  queue.entries.delete(entry.buildId);
  const at = queue.inFlight.indexOf(entry);
  if (at >= 0) queue.inFlight.splice(at, 1);
  const settled = settleDependents(queue, entry, aboutThePort ? result : 'not-the-port');
  return [{ op: 'finished', buildId: entry.buildId, result, at: now }, ...settled];
}
