import type { QueueStatus } from '../../status/status-snapshot.ts';
import { countPending } from './count-pending.ts';
import { describeBlocked } from './describe-blocked.ts';
import type { QueueEntry } from './queue-entry.ts';
import type { PlatformQueue } from './platform-queue.ts';
import { previewNext } from './select-next.ts';

/**
 * The queue as `GET /api/status` shows it (queueSchema): what runs, how much waits, what goes
 * next, what is held and why. Run at every scheduling round: the preview reads the heaps in
 * place and the oldest wait comes from `pendingSince`, so nothing here is O(pending); the
 * pending count and the blocked summary go over the parked builders (O(parked)).
 */
export function describeQueue(queue: PlatformQueue, now: number): QueueStatus {
  const running = queue.inFlight[0];
  const blocked = describeBlocked(queue);
  let oldest: number | null = null;
  for (const since of queue.pendingSince.keys()) if (oldest === null || since < oldest) oldest = since;
  return {
    platform: queue.platform,
    running: running === undefined ? null : toStatusEntry(running),
    pending: countPending(queue),
    next: previewNext(queue, 5).map(toStatusEntry),
    oldestWaitSeconds: oldest === null ? null : Math.max(0, (now - oldest) / 1000),
    lanes: queue.lanes,
    inFlight: queue.inFlight.length,
    blocked: { total: blocked.total, byPort: blocked.byPort.slice(0, 10) },
    waiting: firstWaits(queue, 5),
  };
}

/** The first `count` parked builders (the waits map's order) with what each waits for, without copying the map (20,000 parked after a failure). */
function firstWaits(queue: PlatformQueue, count: number): QueueStatus['waiting'] {
  const out: QueueStatus['waiting'] = [];
  let seen = 0;
  for (const [buildId, wait] of queue.waits) {
    if (seen++ === count) break;
    const port = queue.entries.get(buildId)?.port;
    if (port != null) out.push({ port, waitsFor: wait.port, reason: wait.kind });
  }
  return out;
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
