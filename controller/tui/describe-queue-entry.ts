import type { z } from 'zod';
import type { queueEntrySchema } from '../status/status-snapshot.ts';

type QueueEntry = z.infer<typeof queueEntrySchema>;

/** `py313-numpy`, `PR py-foo`, `watcher @1a2b3c4`, `PR watcher @1a2b3c4`, plus `(dispatched)` until it starts. */
export function describeQueueEntry(entry: QueueEntry): string {
  const rev = entry.portsRevision.slice(0, 7);
  const what =
    entry.kind === 'builder'
      ? (entry.port ?? `builder @${rev}`)
      : entry.kind === 'pr-builder'
        ? `PR ${entry.port ?? `@${rev}`}`
        : entry.kind === 'watcher'
          ? `watcher @${rev}`
          : `PR watcher @${rev}`;
  return entry.state === 'dispatched' ? `${what} (dispatched)` : what;
}
