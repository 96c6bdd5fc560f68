import type { DatabaseSync } from 'node:sqlite';
import type { BuildId } from '../model/build-id.ts';
import { crashPoint } from '../errors/crash-point.ts';
import type { CancelLanes } from './cancel-lanes.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueContext } from './core/queue-context.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import { settlePreempted } from './settle-run.ts';

export interface PreemptionReport {
  readonly preempted: { buildId: BuildId; requeuedAs: BuildId }[];
  readonly errors: { buildId: BuildId; error: Error }[];
}

/**
 * Within a round: takes the platform's preempting cancel once GitHub completed it, and queues
 * the cancelled build again at the head, its cancelled run noted to be recorded (`settlePreempted`). Answers whether the platform's lane may dispatch: false
 * while GitHub has not completed the cancelled run (the watcher would queue behind it in the
 * concurrency group) and in the round asking for the cancel failed (the next round asks again).
 */
export function settlePreemption(
  db: DatabaseSync,
  lanes: CancelLanes,
  queue: PlatformQueue,
  report: PreemptionReport,
  change: (operation: (ctx: QueueContext) => { value: QueueEntry; changes: readonly QueueChange[] }) => QueueEntry,
): boolean {
  const taken = lanes.take(queue.platform);
  if (taken === undefined) return true;
  if (taken === 'waiting') return false;
  const { victim, runId, outcome } = taken;
  crashPoint('cancel-answered');
  if ('error' in outcome) {
    report.errors.push({ buildId: victim.buildId, error: new Error(`cancelling run ${runId} of ${victim.buildId} failed`, { cause: outcome.error }) });
    return false;
  }
  // Only a run that really was cancelled goes back to the queue: one that completed (or was
  // taken) before the cancel landed built the port, and its own finish event settles it;
  // queueing it again would build the port twice. One its webhook settled meanwhile is gone.
  const entry = queue.entries.get(victim.buildId);
  if (outcome.conclusion === 'cancelled' && entry !== undefined) {
    const requeued = change((ctx) => {
      const r = settlePreempted(db, queue, entry, ctx);
      return { value: r.entry, changes: r.changes };
    });
    report.preempted.push({ buildId: victim.buildId, requeuedAs: requeued.buildId });
  }
  return true;
}
