import type { DatabaseSync } from 'node:sqlite';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { createPlatformQueue, indexEntry, type PlatformQueue } from '../queue/core/platform-queue.ts';
import type { QueuePolicy } from '../queue/core/queue-policy.ts';
import { rowToEntry } from './row-to-entry.ts';
import { selectMaxSeq } from './sql/select-max-seq.ts';
import { selectOpenEntries } from './sql/select-open-entries.ts';
import { selectPrCounter } from './sql/select-pr-counter.ts';

/** Rebuilds a platform's in-memory queue from the database (on start, and after a failed write). */
export function loadPlatformQueue(db: DatabaseSync, platform: string, policy: QueuePolicy, graph: PortsGraph | null): PlatformQueue {
  const queue = createPlatformQueue(platform, policy, graph);
  for (const row of selectOpenEntries(db, platform)) indexEntry(queue, rowToEntry(row));
  queue.nextSeq = selectMaxSeq(db, platform) + 1;
  queue.masterSinceLastPr = selectPrCounter(db, platform);
  return queue;
}
