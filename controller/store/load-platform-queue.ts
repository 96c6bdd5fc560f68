import type { DatabaseSync } from 'node:sqlite';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { recordFailure } from '../queue/core/dependency-wait.ts';
import { createPlatformQueue, indexEntry, type PlatformQueue } from '../queue/core/platform-queue.ts';
import type { QueuePolicy } from '../queue/core/queue-policy.ts';
import { rowToEntry } from './row-to-entry.ts';
import { selectMaxSeq } from './sql/select-max-seq.ts';
import { selectOpenEntries } from './sql/select-open-entries.ts';
import { selectPrCounter } from './sql/select-pr-counter.ts';
import { selectPortFailures } from './sql/port-failures.ts';

/** Rebuilds a platform's in-memory queue from the database (on start, and after a failed write). */
export function loadPlatformQueue(db: DatabaseSync, platform: string, policy: QueuePolicy, graph: PortsGraph | null, lanes = 1): PlatformQueue {
  const queue = createPlatformQueue(platform, policy, graph, lanes);
  for (const row of selectOpenEntries(db, platform)) indexEntry(queue, rowToEntry(row));
  if (policy.dependencySafe && graph !== null) {
    for (const failure of selectPortFailures(db, platform)) {
      const id = graph.ids.get(failure.name.toLowerCase());
      // A port the graph no longer knows blocks nobody (a removed port, or the graph changed).
      if (id !== undefined) recordFailure(queue, graph, id, { port: failure.name, portsRevision: failure.portsRevision, buildId: failure.buildId });
    }
  }
  queue.nextSeq = selectMaxSeq(db, platform) + 1;
  queue.masterSinceLastPr = selectPrCounter(db, platform);
  return queue;
}
