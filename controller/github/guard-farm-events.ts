import type { Logger } from 'pino';
import type { BuildId } from '../model/build-id.ts';
import { VM_PREFIX } from '../model/vm-prefix.ts';
import { forcedRebuildPlatform } from '../model/forced-rebuild-title.ts';
import { authorizeManualRebuild } from './authorize-manual-rebuild.ts';
import type { EventRejections } from './event-rejections.ts';
import type { FarmEvents, WorkflowJobEvent, WorkflowRunEvent } from './farm-events.ts';
import { jobDetails, jobSubject, type JobGate } from './job-gate.ts';
import type { RepoAccess } from './repo-access.ts';
import { verifyBuildRun, type FarmIdentity } from './verify-run-identity.ts';

export interface FarmEventGuardOptions {
  readonly farm: FarmIdentity;
  /** The run the controller recorded for a build it dispatched: null while the dispatch answer is unknown, undefined for an id it never gave out. */
  readonly recordedRunOf: (buildId: BuildId) => number | null | undefined;
  readonly jobs: Pick<JobGate, 'judge'>;
  readonly access: RepoAccess;
  /** Logins that may ask for a full rebuild without GitHub being asked (`github.rebuildActors`). */
  readonly rebuildActors: readonly string[];
  readonly rejections: EventRejections;
  readonly log: Logger;
}

/**
 * The trust boundary between translated webhooks and the farm: a run event moves a build only
 * when it is that build's recorded run (verify-run-identity.ts), a job reaches the runner manager
 * only when it is of its build's run (job-gate.ts), and a run asking for a full rebuild queues
 * one only when a person with write access dispatched it on the default branch
 * (authorize-manual-rebuild.ts). Everything else is dropped here, counted and logged once with
 * the reason; pushes and pull requests pass (the translation checked their repository and branch).
 */
export function guardFarmEvents(inner: FarmEvents, options: FarmEventGuardOptions): FarmEvents {
  const { farm, rejections } = options;
  return {
    onPush: (request, signal) => inner.onPush(request, signal),
    onPullRequest: (request, signal) => inner.onPullRequest(request, signal),
    onWorkflowJob: async (event: WorkflowJobEvent, signal) => {
      if (event.buildId === null) {
        await inner.onWorkflowJob(event, signal);
        return;
      }
      const claim = { buildId: event.buildId, jobId: event.jobId, runId: event.runId, runAttempt: event.runAttempt, repositoryId: event.repositoryId, repository: event.repository };
      const judgement = await options.jobs.judge(claim, signal);
      if (judgement.admitted) {
        await inner.onWorkflowJob(event, signal);
        return;
      }
      // The gate is the judge and counts the refusal here, once. A refused job that one of
      // portfarm's runners took still reaches the runner manager, marked as refused, which
      // destroys that VM with nothing collected and does not count the job again.
      const taken = ranOnPortfarmRunner(event);
      rejections.reject(taken ? 'runner-taken-by-foreign-job' : judgement.reason, jobSubject(claim), {
        ...jobDetails(claim),
        ...(taken ? { runnerName: event.runnerName, identity: judgement.reason } : {}),
        why: judgement.why,
      });
      if (taken) await inner.onWorkflowJob({ ...event, refusedAtBoundary: true }, signal);
    },
    onWorkflowRun: async (event: WorkflowRunEvent, signal) => {
      const subject = `run ${event.runId}`;
      const details = { deliveryId: event.deliveryId, runId: event.runId, title: event.title, path: event.identity.path, event: event.identity.event, headBranch: event.identity.headBranch, actor: event.identity.triggeringActor ?? event.identity.actor };
      if (event.buildId !== null) {
        const verdict = verifyBuildRun(event.identity, farm, options.recordedRunOf(event.buildId));
        if (!verdict.accepted) {
          rejections.reject(verdict.reason, subject, { ...details, buildId: event.buildId, why: verdict.why });
          return;
        }
        await inner.onWorkflowRun(event, signal);
        return;
      }
      const platform = forcedRebuildPlatform(event.title);
      if (platform === null) {
        // Not the farm's: a manual run without force (the flow says how to ask), or another run of a file named like ports.yml.
        await inner.onWorkflowRun(event, signal);
        return;
      }
      if (event.action !== 'requested') return; // only the request queues; its later states change nothing
      const verdict = await authorizeManualRebuild(event.identity, farm, { access: options.access, rebuildActors: options.rebuildActors }, signal);
      if (!verdict.allowed) {
        rejections.reject(verdict.reason, subject, { ...details, platform, why: verdict.why });
        options.log.warn({ ...details, platform, reason: verdict.reason, why: verdict.why }, 'full rebuild refused, queue unchanged');
        return;
      }
      options.log.info({ deliveryId: event.deliveryId, runId: event.runId, platform, actor: verdict.actor }, 'full rebuild asked for by a person with write access');
      await inner.onWorkflowRun(event, signal);
    },
  };
}

/** A job GitHub says one of portfarm's runners took (or ran): its VM must go if the job is not its build's. */
function ranOnPortfarmRunner(event: WorkflowJobEvent): boolean {
  return (event.action === 'in_progress' || event.action === 'completed') && event.runnerName?.startsWith(VM_PREFIX) === true;
}
