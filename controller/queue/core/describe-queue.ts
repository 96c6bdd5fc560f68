import type { QueueStatus } from '../../status/status-snapshot.ts';
import { countPending } from './count-pending.ts';
import { describeBlocked } from './describe-blocked.ts';
import type { QueueEntry } from './queue-entry.ts';
import type { PlatformQueue } from './platform-queue.ts';
import { previewNext } from './select-next.ts';

/** The queue as `GET /api/status` shows it (queueSchema): what runs, how much waits, what goes next, what is held and why. */
export function describeQueue(queue: PlatformQueue, now: number): QueueStatus {
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
    next: previewNext(queue, 5).map(toStatusEntry),
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
