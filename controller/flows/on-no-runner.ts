import type { Logger } from 'pino';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerFailure } from '../runners/runner-manager.ts';
import type { BuildNotes } from './build-notes.ts';
import type { NoRunnerCancels } from './no-runner-cancels.ts';

export interface OnNoRunnerOptions {
  readonly reorder: Pick<ReorderService, 'describeBuild'>;
  readonly notes: Pick<BuildNotes, 'noteFailedPhase' | 'noteRunnerLost'>;
  /** Cancels the run, and asks again from each sweep while GitHub does not take it. */
  readonly cancels: Pick<NoRunnerCancels, 'cancel'>;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/**
 * The runner manager gave up on a build (no VM or runner could be had): the build is noted as
 * the farm's failure with phase `runner`, and its run is cancelled so the queue moves on (asked
 * again by each sweep until GitHub takes it: no-runner-cancels.ts); the cancelled run's build is
 * then queued again (up to MAX_LOST_RETRIES), nobody is mailed.
 */
export function createOnNoRunner(options: OnNoRunnerOptions): (failure: RunnerFailure) => void {
  const { reorder, notes, cancels, log, signal } = options;
  return (failure) => {
    const entry = reorder.describeBuild(failure.buildId);
    log.error({ buildId: failure.buildId, reason: failure.reason, attempts: failure.attempts }, 'no runner for this build; cancelling its run');
    // A phase name, not the reason: it ends up in URLs (the reason is in the log line above).
    notes.noteFailedPhase(failure.buildId, 'runner');
    notes.noteRunnerLost(failure.buildId);
    if (entry?.runId !== null && entry?.runId !== undefined) {
      void cancels.cancel(failure.buildId, entry.runId, signal);
    }
  };
}
