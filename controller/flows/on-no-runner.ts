import type { Logger } from 'pino';
import { coerceError } from '../errors/coerce-error.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunGateway } from '../queue/run-gateway.ts';
import type { RunnerFailure } from '../runners/runner-manager.ts';
import type { BuildNotes } from './build-notes.ts';

export interface OnNoRunnerOptions {
  readonly reorder: Pick<ReorderService, 'describeBuild'>;
  readonly notes: Pick<BuildNotes, 'noteFailedPhase' | 'noteRunnerLost'>;
  readonly gateway: Pick<RunGateway, 'cancel'>;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/**
 * The runner manager gave up on a build (no VM or runner could be had): the build is noted as
 * the farm's failure with phase `runner`, and its run is cancelled so the queue moves on; the
 * cancelled run's build is then queued again (up to MAX_LOST_RETRIES), nobody is mailed.
 */
export function createOnNoRunner(options: OnNoRunnerOptions): (failure: RunnerFailure) => void {
  const { reorder, notes, gateway, log, signal } = options;
  return (failure) => {
    const entry = reorder.describeBuild(failure.buildId);
    log.error({ buildId: failure.buildId, reason: failure.reason, attempts: failure.attempts }, 'no runner for this build; cancelling its run');
    // A phase name, not the reason: it ends up in URLs (the reason is in the log line above).
    notes.noteFailedPhase(failure.buildId, 'runner');
    notes.noteRunnerLost(failure.buildId);
    if (entry?.runId !== null && entry?.runId !== undefined) {
      gateway.cancel(entry.runId, signal).catch((error: unknown) => {
        log.warn({ buildId: failure.buildId, err: coerceError(error) }, 'cancel after runner failure failed; reconcile retries');
      });
    }
  };
}
