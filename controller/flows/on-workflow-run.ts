import type { Logger } from 'pino';
import { UserError } from '../errors/user-error.ts';
import type { FailedRunCause } from '../github/explain-failed-run.ts';
import type { WorkflowRunEvent } from '../github/farm-events.ts';
import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';
import { toBuildResult } from '../model/to-build-result.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { BuildNotes } from './build-notes.ts';
import { forcedRebuildPlatform } from '../model/forced-rebuild-title.ts';
import { crashPoint } from '../errors/crash-point.ts';

export interface OnWorkflowRunOptions {
  readonly reorder: Pick<ReorderService, 'describeBuild' | 'enqueueWatcher' | 'runFinished' | 'finishedAs'>;
  readonly notes: Pick<BuildNotes, 'hasFailedPhase' | 'noteFailedPhase' | 'noteRunnerLost' | 'runnerLost'>;
  /** Asks GitHub why a run failed (its jobs' steps): a failed step, or a lost runner. */
  readonly explainFailedRun: (runId: number, signal: AbortSignal) => Promise<FailedRunCause>;
  /** The build-finished flow: ledger, checks, mail. Called once per build id, before the queue forgets it, with the result and phase the queue recorded. */
  readonly onFinished: (buildId: BuildId, result: BuildResult, event: WorkflowRunEvent, phase: string | null) => Promise<void>;
  /** Asks for a scheduling round. */
  readonly kick: () => void;
  readonly log: Logger;
}

/**
 * A run of the ports workflow was requested, started or finished. A run portfarm dispatched
 * that completed finishes its build (once: a repeat changes nothing). A failed run whose job
 * event did not say how (lost, or still to come) is explained by GitHub first, so a lost runner
 * is rebuilt rather than mailed to the port's maintainers as the port's failure. A run started
 * by hand with force ticked queues a full rebuild.
 */
export function createOnWorkflowRun(options: OnWorkflowRunOptions): (event: WorkflowRunEvent, signal: AbortSignal) => Promise<void> {
  const { reorder, notes, kick, log } = options;
  return async (event, signal) => {
    const buildId = event.buildId;
    if (buildId === null) {
      if (event.action === 'requested' && queueForcedRebuild(event, options)) kick();
      return;
    }
    if (event.action !== 'completed') return;
    if (event.conclusion === 'failure' && !notes.hasFailedPhase(buildId) && reorder.describeBuild(buildId)?.state !== 'finished') {
      const cause = await options.explainFailedRun(event.runId, signal);
      if (cause.kind === 'step') notes.noteFailedPhase(buildId, cause.phase);
      if (cause.kind === 'runner-lost') {
        notes.noteRunnerLost(buildId);
        log.warn({ buildId, runId: event.runId }, 'the run failed because its runner was lost (host or VM gone); the build is queued again, nobody is mailed');
      }
    }
    const result = toBuildResult(event.conclusion);
    // runFinished answers false for a repeat: the side effects run once per build. A run someone
    // else cancelled is queued again (recorded as cancelled) or, too often, fails: the queue says how.
    const finishedNow = reorder.runFinished(buildId, result, event.at, { runnerLost: notes.runnerLost(buildId) });
    if (finishedNow) crashPoint('run-finished');
    // A build the service finished first (a preempted run, taken by the round that had the
    // cancel's answer) has its note to be recorded too: the run's completion records it. A build
    // already recorded has no note; one being recorded is not taken twice (record-worker.ts).
    const as = reorder.finishedAs(buildId);
    if (finishedNow || as !== undefined) await options.onFinished(buildId, as?.result ?? result, event, as?.phase ?? null);
    kick();
  };
}

/**
 * A maintainer's "Run workflow" with force ticked: its job does nothing (no build id); the full
 * rebuild is queued here, so the reorder queue stays the only scheduler. True when queued.
 */
function queueForcedRebuild(event: WorkflowRunEvent, options: OnWorkflowRunOptions): boolean {
  const { reorder, log } = options;
  const title = event.title.trim();
  const platform = forcedRebuildPlatform(title);
  if (platform === null) {
    if (title.startsWith('manual:')) {
      log.info({ deliveryId: event.deliveryId, runId: event.runId, title }, 'manual run does nothing: the controller queues every build itself; tick force in the Actions form for a full rebuild');
    }
    return false;
  }
  try {
    const { buildId, coalesced } = reorder.enqueueWatcher({ platform, portsRevision: event.headSha, changedPorts: null, force: true, prNumber: null, now: event.at });
    log.info({ deliveryId: event.deliveryId, buildId, platform, coalesced }, 'full rebuild queued (forced from the Actions form)');
    return true;
  } catch (caught) {
    // A platform the workflow's form offers but this farm does not build: the queue stays as it was.
    if (!(caught instanceof UserError)) throw caught;
    log.warn({ deliveryId: event.deliveryId, runId: event.runId, platform, reason: caught.message }, 'full rebuild refused, queue unchanged');
    return false;
  }
}
