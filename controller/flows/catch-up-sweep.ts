import type { Logger } from 'pino';
import { coerceError } from '../errors/coerce-error.ts';
import type { RecoverResult } from '../github/recover-missed-deliveries.ts';
import type { BuildId } from '../model/build-id.ts';
import type { WorkflowJobEvent } from '../model/workflow-job-event.ts';
import type { FinishNote } from '../queue/finish-notes.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';
import type { BuildFinished } from './on-build-finished.ts';

/** What the sweep asks of GitHub. */
export interface CatchUpGitHub {
  /** Asks GitHub to redeliver the webhooks whose every attempt failed. */
  readonly recoverMissedDeliveries: (signal: AbortSignal) => Promise<RecoverResult>;
  /** The queued and in-progress runs that can carry the farm's jobs: ports workflow dispatches, pull-request workflow runs. */
  readonly listUnfinishedRuns: (signal: AbortSignal) => Promise<number[]>;
  /** A run's jobs still waiting for a runner, as `queued` events. */
  readonly listQueuedJobs: (runId: number, signal: AbortSignal) => Promise<WorkflowJobEvent[]>;
}

export interface CatchUpSweepOptions {
  readonly reorder: Pick<ReorderService, 'unrecorded' | 'reconcile' | 'inFlight'>;
  readonly runners: Pick<RunnerManager, 'leases' | 'handleWorkflowJob' | 'runRecorded'>;
  readonly github: CatchUpGitHub;
  /** Whether the ledger already has the build (its line was written before a crash). */
  readonly ledgerHasBuild: (buildId: BuildId) => Promise<boolean>;
  /** A build reconcile found started (its `in_progress` webhook lost): its check, or its summary's tally, says so. */
  readonly onStarted: (buildId: BuildId, at: Date) => void;
  /** The build-finished flow. */
  readonly onFinished: BuildFinished;
  /** A finished build the ledger already has: what its recording did after the ledger line is done from the line, then it is marked recorded (on-ledgered-build.ts). */
  readonly onLedgered: (note: FinishNote) => Promise<void>;
  /** Asks GitHub again for the cancels it did not take (no-runner-cancels.ts); logs its own failures. */
  readonly retryCancels: (signal: AbortSignal) => Promise<void>;
  readonly log: Logger;
  readonly now: () => Date;
}

export interface CatchUpSweep {
  /** Finishes committed before a crash: recorded now (once), or, when the ledger line made it, their check and summary tally completed from it. */
  readonly recordUnrecorded: () => Promise<void>;
  /** Asks GitHub how the runs in flight stand and records the ones that finished; throws when GitHub cannot be asked. */
  readonly reconcileAndRecord: (signal: AbortSignal) => Promise<void>;
  /** Starts a VM for every job still waiting for one on GitHub; a failure is logged (the next sweep retries). */
  readonly resumeWaitingJobs: (signal: AbortSignal) => Promise<void>;
  /** Asks for missed webhook deliveries again; a failure is logged (reconcile covers it). */
  readonly recover: (signal: AbortSignal) => Promise<void>;
  /** All of it (with the cancels GitHub did not take asked again after reconcile), in that order; each step's failure is logged and the next step runs. */
  readonly sweep: (signal: AbortSignal) => Promise<void>;
}

/**
 * What a webhook lost while the controller listened (or was down) would have said, asked of
 * GitHub: missed deliveries redelivered, runs in flight reconciled and recorded, jobs waiting
 * for a runner given one. Runs at start and every `sweepIntervalMs` from the scheduling round.
 */
export function createCatchUpSweep(options: CatchUpSweepOptions): CatchUpSweep {
  const { reorder, runners, github, log, now } = options;
  const reconcileAndRecord = async (signal: AbortSignal): Promise<void> => {
    const report = await reorder.reconcile(now(), signal);
    // A run adopted here had its dispatch answer lost, so its job's `queued` event was refused
    // and held (run not recorded); only a dispatch's own answer judged it again, and this job
    // waited for a VM until the next sweep's search (5 min). Judge it now the run is recorded.
    for (const buildId of report.adopted) {
      for (const outcome of runners.runRecorded(buildId)) if (outcome === 'started') log.info({ buildId }, 'job held while its run was unrecorded; starting its VM now reconcile found the run');
    }
    for (const buildId of report.started) options.onStarted(buildId, now());
    for (const finished of report.finished) await options.onFinished(finished.buildId, finished.result, { runId: finished.runId, at: now() }, finished.phase);
  };
  // A job whose `queued` delivery was handled before a crash lost its VM with the process, and
  // GitHub sends no second `queued`: ask for the jobs of each dispatched run that has no VM.
  // Runs portfarm did not dispatch (PR builds on their own pull_request trigger) wait the same
  // way, so the unfinished runs of those workflows are asked too; jobs without portfarm's label
  // are ignored by the runner manager.
  const findWaitingJobs = async (signal: AbortSignal): Promise<void> => {
    const leased = new Set(runners.leases().map((l) => l.buildId));
    const waiting = new Set<number>();
    const known = new Set<number>();
    for (const entry of reorder.inFlight()) {
      if (entry.runId !== null) known.add(entry.runId);
      if (entry.state === 'dispatched' && entry.runId !== null && !leased.has(entry.buildId)) waiting.add(entry.runId);
    }
    for (const runId of await github.listUnfinishedRuns(signal)) if (!known.has(runId)) waiting.add(runId);
    for (const runId of waiting) {
      for (const job of await github.listQueuedJobs(runId, signal)) {
        if (runners.handleWorkflowJob(job) === 'started') log.info({ runId, jobId: job.jobId, labels: job.labels }, 'job still queued on GitHub without a VM; starting one');
      }
    }
  };
  const resumeWaitingJobs = (signal: AbortSignal): Promise<void> =>
    findWaitingJobs(signal).catch((error: unknown) => { log.warn({ err: coerceError(error) }, 'looking for jobs without a VM failed; the next sweep retries'); });
  const recover = (signal: AbortSignal): Promise<void> =>
    github.recoverMissedDeliveries(signal).then(
      (result) => { log.info({ redelivered: result.redelivered.length, listed: result.listed }, 'missed deliveries asked again'); },
      (error: unknown) => { log.warn({ err: coerceError(error) }, 'missed-delivery recovery failed; state is reconciled from GitHub instead'); },
    );
  return {
    recordUnrecorded: async () => {
      for (const note of reorder.unrecorded()) {
        if (await options.ledgerHasBuild(note.buildId)) await options.onLedgered(note);
        else {
          log.warn({ buildId: note.buildId, result: note.result }, 'build finished before a crash but not in the ledger; recording it now');
          await options.onFinished(note.buildId, note.result, { runId: note.runId, at: note.at }, note.phase);
        }
      }
    },
    reconcileAndRecord,
    resumeWaitingJobs,
    recover,
    sweep: async (signal) => {
      await recover(signal);
      await reconcileAndRecord(signal).catch((error: unknown) => { log.warn({ err: coerceError(error) }, 'reconcile failed; the next sweep retries'); });
      await options.retryCancels(signal);
      await resumeWaitingJobs(signal);
    },
  };
}
