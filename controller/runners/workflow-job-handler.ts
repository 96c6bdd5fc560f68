import type { PlatformConfig } from '../config/config-schema.ts';
import { buildIdFromLabel, buildLabel, type BuildId } from '../model/build-id.ts';
import { judgeJobClaim } from './job-identity.ts';
import { AttemptFailure, type Lease } from './lease.ts';
import { createLease } from './lease-attempt.ts';
import { enter, finishLease, markBuildFinished, type ManagerContext } from './manager-context.ts';
import type { WorkflowJobEvent } from '../model/workflow-job-event.ts';

export type WorkflowJobOutcome = 'started' | 'claimed-warm' | 'duplicate' | 'ignored' | 'updated' | 'rejected';

/**
 * What happens when a `workflow_job` event arrives. Jobs without portfarm's labels are ignored;
 * a job that is not its build's own (another run, another job) is refused and counted, and
 * changes no lease; one of portfarm's runners seen running such a job is destroyed at once.
 */
export function handleWorkflowJob(ctx: ManagerContext, event: WorkflowJobEvent): WorkflowJobOutcome {
  // The trust boundary judged and counted a job it marks refused: here it is only ever foreign
  // (an assertion, never a second count), whatever the manager's own narrower check would say.
  const refused = event.refusedAtBoundary === true;
  if (event.runnerName !== null && (event.action === 'in_progress' || event.action === 'completed')) {
    const onOurRunner = [...ctx.leases.values()].find((l) => l.vmId === event.runnerName);
    if (onOurRunner !== undefined && (refused || !isOwnJob(ctx, onOurRunner, event))) {
      runnerTakenByForeignJob(ctx, onOurRunner, event);
      return 'rejected';
    }
  }
  if (refused) return 'rejected';
  const match = matchJob(ctx, event.labels);
  if (match === undefined) return 'ignored';
  const { buildId, platform } = match;
  const lease = ctx.leases.get(buildId);
  const refusal = judgeJobClaim(event, ctx.recordedRunOf(buildId), lease?.jobId ?? null);
  if (refusal !== null) {
    ctx.rejections.reject(refusal, `job ${event.jobId}`, {
      buildId,
      action: event.action,
      runId: event.runId,
      runAttempt: event.runAttempt,
      jobId: event.jobId,
      recordedRun: ctx.recordedRunOf(buildId),
      leaseJobId: lease?.jobId ?? null,
      why: 'the job carries this build\'s label but is not its recorded run\'s job; no VM, no change to its lease',
    });
    if (refusal === 'run-not-recorded' && event.action === 'queued') holdQueued(ctx, buildId, event);
    return 'rejected';
  }
  switch (event.action) {
    case 'queued': {
      if (ctx.finishedBuilds.has(buildId)) {
        ctx.log.info({ buildId, jobId: event.jobId }, 'queued event for a build whose job already went; no VM started');
        return 'duplicate';
      }
      if (lease !== undefined) {
        lease.jobId ??= event.jobId;
        lease.queuedAt ??= ctx.now();
        if (lease.warm) {
          lease.warm = false;
          lease.claim?.();
          lease.log.info({ vmId: lease.vmId }, 'job queued; claiming the warm VM');
          return 'claimed-warm';
        }
        return 'duplicate';
      }
      if (ctx.shutdown.signal.aborted) return 'ignored';
      createLease(ctx, buildId, platform, { jobId: event.jobId, warm: false });
      return 'started';
    }
    case 'in_progress': {
      if (lease === undefined) return 'ignored';
      lease.jobId ??= event.jobId;
      if (event.runnerName !== null && event.runnerName === lease.vmId) {
        if (!lease.jobTaken) {
          lease.jobTaken = true;
          lease.jobStartedAt = ctx.now();
          enter(ctx, lease, 'running');
          if (lease.queuedAt !== null) {
            ctx.metrics.queuedToInProgress.observe({ platform: platform.name, warm: String(lease.wasWarm) }, (ctx.now() - lease.queuedAt) / 1000);
          }
          lease.log.info({ vmId: lease.vmId, runnerName: event.runnerName }, 'job taken by its runner');
        }
        return 'updated';
      }
      // Another runner took the job (labels overlapped): this lease's VM is not needed.
      lease.log.warn({ vmId: lease.vmId, runnerName: event.runnerName }, 'job taken by another runner; destroying this VM');
      finishLease(ctx, lease);
      return 'updated';
    }
    case 'completed': {
      markBuildFinished(ctx, buildId);
      if (lease === undefined) return 'ignored';
      lease.conclusion = event.conclusion;
      lease.log.info({ vmId: lease.vmId, conclusion: event.conclusion }, 'job completed; tearing down');
      finishLease(ctx, lease);
      return 'updated';
    }
    case 'waiting':
      return 'ignored';
  }
}

const HELD_BUILDS = 1_000;
const HELD_PER_BUILD = 4;

/** Keeps a `queued` refused before its build's run was recorded, for `runRecorded`; bounded, so forged ones cannot grow it. */
function holdQueued(ctx: ManagerContext, buildId: BuildId, event: WorkflowJobEvent): void {
  const held = ctx.heldQueued.get(buildId) ?? [];
  if (held.length >= HELD_PER_BUILD || held.some((e) => e.jobId === event.jobId)) return;
  if (!ctx.heldQueued.has(buildId) && ctx.heldQueued.size >= HELD_BUILDS) {
    const oldest = ctx.heldQueued.keys().next();
    if (oldest.done !== true) ctx.heldQueued.delete(oldest.value);
  }
  ctx.heldQueued.set(buildId, [...held, event]);
}

/**
 * The controller has just recorded the build's run: the `queued` events held for it are judged
 * again (only its own run's job gets a VM). Returns what each came to.
 */
export function runRecorded(ctx: ManagerContext, buildId: BuildId): WorkflowJobOutcome[] {
  const held = ctx.heldQueued.get(buildId) ?? [];
  ctx.heldQueued.delete(buildId);
  return held.map((event) => handleWorkflowJob(ctx, event));
}

/** Whether a job seen on this lease's runner is the build's own: its label, its recorded run, its job once known. */
function isOwnJob(ctx: ManagerContext, lease: Lease, event: WorkflowJobEvent): boolean {
  if (!event.labels.includes(buildLabel(lease.buildId))) return false;
  return judgeJobClaim(event, ctx.recordedRunOf(lease.buildId), lease.jobId) === null;
}

/**
 * One of portfarm's runners took a job that is not its build's (a job of another run with the
 * same labels, or a subset of them): nothing that job left in the VM may be trusted, so the VM
 * is destroyed now with nothing collected from it, and the build's lease starts over (its own
 * job still waits on GitHub) until its retries run out and it fails visibly.
 */
function runnerTakenByForeignJob(ctx: ManagerContext, lease: Lease, event: WorkflowJobEvent): void {
  const vmId = lease.vmId;
  const details = {
    buildId: lease.buildId,
    vmId,
    action: event.action,
    runId: event.runId,
    runAttempt: event.runAttempt,
    jobId: event.jobId,
    labels: event.labels,
    recordedRun: ctx.recordedRunOf(lease.buildId),
    leaseJobId: lease.jobId,
    why: 'a job that is not this build\'s ran on its runner; the VM is destroyed without collecting anything and the build gets a new VM',
  };
  // Counted once: by the trust boundary when it passed the job on, else here.
  if (event.refusedAtBoundary === true) lease.log.warn(details, 'runner taken by a job the trust boundary refused; destroying its VM');
  else ctx.rejections.reject('runner-taken-by-foreign-job', `runner ${vmId ?? ''}`, details);
  if (lease.compromisedVm === vmId) return;
  lease.compromisedVm = vmId;
  ctx.onRunnerTaken({ buildId: lease.buildId, vmId: vmId ?? null, runId: event.runId, jobId: event.jobId });
  lease.jobTaken = false;
  lease.warm = false;
  const failure = new AttemptFailure('runner-taken', `runner ${vmId ?? ''} was taken by job ${event.jobId} of run ${event.runId}, not this build's`, true);
  // An adopted lease has no attempt loop: it ends without marking the build finished, so its own job's `queued` still gets a VM.
  if (lease.adopted) lease.finished.abort(failure);
  else lease.attemptControl.abort(failure);
}

function matchJob(ctx: ManagerContext, labels: readonly string[]): { buildId: BuildId; platform: PlatformConfig } | undefined {
  if (!labels.includes('self-hosted')) return undefined;
  let buildId: BuildId | undefined;
  for (const label of labels) buildId ??= buildIdFromLabel(label);
  if (buildId === undefined) return undefined;
  const platform = labels.map((l) => ctx.platforms.get(l)).find((p) => p !== undefined);
  if (platform === undefined) {
    ctx.log.warn({ buildId, labels }, 'job has a portfarm build label but no configured platform label; ignored');
    return undefined;
  }
  return { buildId, platform };
}
