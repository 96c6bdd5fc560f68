import type { QueueEntry } from './core/queue-entry.ts';
import type { DispatchRequest } from './run-gateway.ts';

/** What `workflow_dispatch` is asked for a queued build. */
export function toDispatchRequest(entry: QueueEntry): DispatchRequest {
  return {
    buildId: entry.buildId,
    platform: entry.platform,
    kind: entry.kind,
    port: entry.port,
    portsRevision: entry.portsRevision,
    force: entry.force,
    portlist: entry.changedPorts,
    prNumber: entry.prNumber,
    lane: entry.lane ?? 0,
  };
}
