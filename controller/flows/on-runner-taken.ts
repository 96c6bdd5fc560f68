import type { Logger } from 'pino';
import { coerceError } from '../errors/coerce-error.ts';
import type { RunGateway } from '../queue/run-gateway.ts';
import type { RunnerTaken } from '../runners/runner-manager-options.ts';

export interface OnRunnerTakenOptions {
  readonly gateway: Pick<RunGateway, 'cancel'>;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/**
 * A farm runner ran a job that was not its build's. GitHub gives a runner any queued job of the
 * repository whose labels are a subset of its own, so a pull request can queue jobs asking for
 * `self-hosted` (or a build's labels) and take runners one by one. The VM is already destroyed;
 * here the run that took it is cancelled, so its other queued jobs take no further runner. No
 * legitimate job can take a farm runner (the farm's own jobs ask for a label no other runner
 * has), so the cancel never hits real work.
 */
export function createOnRunnerTaken(options: OnRunnerTakenOptions): (taken: RunnerTaken) => void {
  const { gateway, log, signal } = options;
  const cancelled = new Set<number>();
  return (taken) => {
    if (cancelled.has(taken.runId)) return;
    if (cancelled.size >= 10_000) cancelled.clear();
    cancelled.add(taken.runId);
    log.warn({ buildId: taken.buildId, vmId: taken.vmId, runId: taken.runId, jobId: taken.jobId }, 'a run\'s job took a farm runner; cancelling that run');
    gateway.cancel(taken.runId, signal).catch((error: unknown) => {
      cancelled.delete(taken.runId);
      log.warn({ runId: taken.runId, err: coerceError(error) }, 'cancelling the run that took a farm runner failed; the next theft tries again');
    });
  };
}
