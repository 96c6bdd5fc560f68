import type { PortsGraph } from '../ports/ports-graph.ts';
import { closureOf } from '../queue/core/closure-cache.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';
import type { DurationEstimate } from './duration-estimate.ts';
import type { DurationHistory } from './duration-history.ts';
import { estimateBuild, estimateWatcher } from './estimate-duration.ts';

/** Ports in `port`'s dependency closure (the scheduler's per-graph closure cache); null when the graph does not know it. */
export function closureSize(graph: PortsGraph | null, port: string): number | null {
  const id = graph?.ids.get(port.toLowerCase());
  if (graph === null || id === undefined) return null;
  return closureOf(graph, id).length;
}

/** The projection's `duration`: a queue entry's expected run time from the history, watcher or builder. */
export function runDuration(history: DurationHistory, graph: PortsGraph | null): (entry: QueueEntry) => DurationEstimate | undefined {
  return (entry) => (entry.port === null ? estimateWatcher(history, entry.platform) : estimateBuild(history, entry.platform, entry.port, closureSize(graph, entry.port)));
}
