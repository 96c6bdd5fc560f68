import type { Logger } from 'pino';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';
import type { ControllerStats } from './controller-stats.ts';

export interface SchedulingRoundOptions {
  readonly reorder: Pick<ReorderService, 'pump' | 'queueStatus'>;
  readonly runners: Pick<RunnerManager, 'warmStart' | 'runRecorded'>;
  /** Check publishing's worker (check-publish-worker.ts): kicked, never waited for. */
  readonly checks: { kick(): void };
  /** Ms GitHub asked the controller to send nothing for (a rate limit); the round dispatches nothing meanwhile. */
  readonly githubPausedFor: () => number;
  readonly stats: Pick<ControllerStats, 'preemptions' | 'dispatchErrors' | 'dispatchesDeferred'>;
  /** Settles when the start-up recovery is done: no round may pump before (the reorder service is not re-entrant). */
  readonly ready: Promise<void>;
  /** The catch-up sweep, run from a round when `sweepIntervalMs` (> 0) has passed since the last. */
  readonly sweep: (signal: AbortSignal) => Promise<void>;
  readonly sweepIntervalMs: number;
  /** After a failed dispatch: ask GitHub whether the run exists after all, and record what finished. */
  readonly reconcileAndRecord: (signal: AbortSignal) => Promise<void>;
  /** Dispatch nothing new (drain, maintenance). */
  readonly paused: boolean;
  /** Clone and boot each platform's next pending build's VM while the current one runs. */
  readonly warmStart: boolean;
  /** A new status snapshot for the status page and TUI. */
  readonly publish: () => void;
  readonly log: Logger;
  readonly now: () => Date;
}

/**
 * One scheduling round (the SerialLoop's tick): the catch-up sweep when due, then dispatch and
 * preempt (`pump`), warm starts, a kick to the check worker, a new status snapshot. Rounds
 * never overlap; a burst of events costs at most two. Check runs go out in their own worker,
 * so no round waits for them; while GitHub asks for a pause the round dispatches nothing
 * (the dispatch would be refused, and its reconcile too) and the next round tries again.
 */
export function createSchedulingRound(options: SchedulingRoundOptions): (signal: AbortSignal) => Promise<void> {
  const { reorder, runners, checks, stats, log, now } = options;
  let lastSweep = Date.now();
  return async (signal) => {
    await Promise.race([options.ready, new Promise<void>((resolve) => { signal.addEventListener('abort', () => { resolve(); }, { once: true }); })]);
    signal.throwIfAborted();
    if (options.sweepIntervalMs > 0 && Date.now() - lastSweep >= options.sweepIntervalMs) {
      lastSweep = Date.now();
      await options.sweep(signal);
    }
    const githubPause = options.githubPausedFor();
    if (githubPause > 0) log.info({ waitMs: githubPause }, 'GitHub asked for a pause (rate limit): dispatching after it');
    if (!options.paused && githubPause === 0) {
      const report = await reorder.pump(now(), signal);
      // A job's `queued` can arrive before its dispatch returned the run id: judge it again now that the run is recorded.
      for (const buildId of report.dispatched) runners.runRecorded(buildId);
      stats.preemptions += report.preempted.length;
      stats.dispatchErrors += report.errors.length;
      for (const failed of report.errors) log.error({ buildId: failed.buildId, err: failed.error }, failed.error.message);
      // No run was made: nothing for reconcile to look for; the builds wait at the head for the next round.
      stats.dispatchesDeferred += report.deferred.length;
      for (const held of report.deferred) log.warn({ buildId: held.buildId, requeuedAs: held.requeuedAs, err: held.error }, held.error.message);
      if (report.errors.length > 0) await options.reconcileAndRecord(signal);
    }
    if (options.warmStart && !options.paused) {
      // Warm starts need no GitHub request: they go on during a pause.
      for (const queue of reorder.queueStatus(now())) {
        const next = queue.next[0];
        if (next !== undefined && next.state === 'pending') runners.warmStart(queue.platform, next.buildId);
      }
    }
    checks.kick();
    options.publish();
  };
}
