import type { BuildId } from '../model/build-id.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { FailedBuild } from '../queue/core/dependency-wait.ts';
import { createPlatformQueue, indexEntry, type PlatformQueue } from '../queue/core/platform-queue.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';
import type { QueuePolicy } from '../queue/core/queue-policy.ts';
import type { DurationEstimate } from './duration-estimate.ts';
import { projectQueue, type ProjectedRun } from './project-queue.ts';

/**
 * Everything a projection needs, as plain data: a copy of the queue's entries and the state
 * `cloneQueue` carries, each entry's expected duration looked up beforehand, and the rates.
 * Plain so it can cross to a worker thread (structured clone); the ports graph, large and
 * rarely new, travels separately (`graph` names it).
 */
export interface ProjectionJob {
  readonly platform: string;
  readonly policy: QueuePolicy;
  readonly lanes: number;
  readonly nextSeq: number;
  readonly masterSinceLastPr: number;
  readonly entries: readonly QueueEntry[];
  readonly failed: readonly (readonly [number, FailedBuild])[];
  /** Expected duration per build id; absent: unknown. */
  readonly durations: ReadonlyMap<BuildId, DurationEstimate>;
  readonly watcher: DurationEstimate | undefined;
  readonly pushesPerMs: number;
  readonly now: number;
}

export interface JobRates {
  readonly duration: (entry: QueueEntry) => DurationEstimate | undefined;
  readonly watcher: DurationEstimate | undefined;
  readonly pushesPerMs: number;
  readonly now: number;
}

/** The job for a platform's live queue: one pass over its entries (no projection), for `peek`. */
export function projectionJob(queue: PlatformQueue, rates: JobRates): ProjectionJob {
  const entries: QueueEntry[] = [];
  const durations = new Map<BuildId, DurationEstimate>();
  for (const entry of queue.entries.values()) {
    entries.push({ ...entry });
    const estimate = rates.duration(entry);
    if (estimate !== undefined) durations.set(entry.buildId, estimate);
  }
  return {
    platform: queue.platform,
    policy: queue.policy,
    lanes: queue.lanes,
    nextSeq: queue.nextSeq,
    masterSinceLastPr: queue.masterSinceLastPr,
    entries,
    failed: [...queue.failed],
    durations,
    watcher: rates.watcher,
    pushesPerMs: rates.pushesPerMs,
    now: rates.now,
  };
}

/** Runs a job: the queue rebuilt from its entries (as `cloneQueue` builds its copy) and projected. */
export function runProjectionJob(job: ProjectionJob, graph: PortsGraph | null): ProjectedRun[] {
  const queue = createPlatformQueue(job.platform, job.policy, graph, job.lanes);
  // Enqueue order, as cloneQueue indexes: watcher lists keep their order, heap ties resolve alike.
  const entries = [...job.entries].sort((a, b) => a.seq - b.seq || a.listIndex - b.listIndex);
  for (const entry of entries) indexEntry(queue, entry);
  queue.nextSeq = job.nextSeq;
  queue.masterSinceLastPr = job.masterSinceLastPr;
  for (const [id, failed] of job.failed) queue.failed.set(id, failed);
  return projectQueue({
    queue,
    now: job.now,
    duration: (entry) => job.durations.get(entry.buildId),
    watcher: job.watcher,
    pushesPerMs: job.pushesPerMs,
  });
}
