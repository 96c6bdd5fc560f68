import type { WorkflowJobEvent } from '../github/farm-events.ts';
import type { BuildId } from '../model/build-id.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';
import type { BuildNotes } from './build-notes.ts';

export interface OnWorkflowJobOptions {
  readonly reorder: Pick<ReorderService, 'runStarted' | 'describeBuild'>;
  /** Starts a VM for a queued job, tears it down when the job completes. */
  readonly runners: Pick<RunnerManager, 'handleWorkflowJob'>;
  readonly notes: Pick<BuildNotes, 'noteFailedPhase'>;
  /** A builder's job was taken by its runner (the first time): its check goes in_progress. */
  readonly onStarted: (buildId: BuildId, at: Date) => void;
  /** Asks for a scheduling round. */
  readonly kick: () => void;
}

/**
 * A job of the ports workflow was queued, taken or finished: the runner manager acts on it (a
 * VM for a queued job, teardown for a finished one), the first failed step of a finished job is
 * noted as the build's failing phase (for its check and mail), and the first `in_progress`
 * marks the build started. Repeats change nothing (the runner manager and queue ignore them).
 */
export function createOnWorkflowJob(options: OnWorkflowJobOptions): (event: WorkflowJobEvent, signal: AbortSignal) => Promise<void> {
  const { reorder, runners, notes, kick } = options;
  return (event) => {
    // A job the runner manager refused (not its build's recorded run) says nothing about the build: no failed phase, no start.
    if (runners.handleWorkflowJob(event) === 'rejected') return Promise.resolve();
    // Only builds the queue knows are ever recorded (and their notes taken): a PR job's failed
    // step noted here would stay in memory for good.
    if (event.action === 'completed' && event.buildId !== null && event.failedStep !== null && reorder.describeBuild(event.buildId) !== undefined) {
      notes.noteFailedPhase(event.buildId, event.failedStep);
    }
    if (event.action === 'in_progress' && event.buildId !== null && reorder.runStarted(event.buildId, event.at)) {
      options.onStarted(event.buildId, event.at);
      kick();
    }
    return Promise.resolve();
  };
}
