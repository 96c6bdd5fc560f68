import { coerceError } from '../errors/coerce-error.ts';
import { isPullRequestBuildId } from '../model/build-id.ts';
import { AttemptFailure, isWatched } from './lease.ts';
import { enter, finishLease, noteRegistrations, type ManagerContext } from './manager-context.ts';
import { findOverdueLeases, findOverduePrJobs, type OverdueReason, type WatchdogDeadlines, type WatchedLease } from './watchdog-deadlines.ts';

/**
 * One watchdog pass: runners seen online move their lease on, a running job whose ephemeral
 * registration is gone is over, and every lease past its phase's deadline has its attempt
 * aborted (retried with backoff, or the build fails visibly).
 */
export async function watchdogPass(ctx: ManagerContext): Promise<void> {
  const leases = [...ctx.leases.values()];
  // Runner online? One list call per pass for every lease that waits for its runner or runs a job.
  if (leases.some((l) => l.phase === 'starting-runner' || l.phase === 'runner-online' || l.phase === 'running')) {
    try {
      const runners = await ctx.registry.listRunners(ctx.shutdown.signal);
      noteRegistrations(ctx, runners);
      const byName = new Map(runners.map((r) => [r.name, r]));
      for (const lease of leases) {
        if (lease.vmId === undefined) continue;
        const runner = byName.get(lease.vmId);
        if (lease.phase === 'starting-runner' && runner?.status === 'online') {
          enter(ctx, lease, 'runner-online');
          lease.log.info({ vmId: lease.vmId, runnerId: runner.id }, 'runner online');
        } else if (lease.phase === 'running' && runner === undefined && lease.runnerId !== undefined) {
          // The ephemeral runner deleted itself after its job: the job is over even if its webhook was missed.
          lease.log.info({ vmId: lease.vmId }, 'registration gone after the job; tearing down');
          finishLease(ctx, lease);
        }
      }
    } catch (error) {
      ctx.log.warn({ err: coerceError(error) }, 'listing runners failed; the watchdog tries again next pass');
    }
  }
  const watched: WatchedLease[] = [];
  for (const lease of ctx.leases.values()) {
    if (isWatched(lease.phase)) watched.push({ key: lease.buildId, phase: lease.phase, since: lease.since });
  }
  // The backend enforces bootMs itself (waitReachable); the watchdog is the backstop for a backend that hangs.
  const backstop = { ...ctx.deadlines, bootMs: ctx.deadlines.bootMs + Math.max(1_000, ctx.deadlines.bootMs / 10) };
  for (const overdue of findOverdueLeases(watched, ctx.now(), backstop)) {
    const lease = ctx.leases.get(overdue.key);
    if (lease === undefined) continue;
    lease.log.warn({ vmId: lease.vmId, reason: overdue.reason, overdueMs: overdue.overdueMs }, 'watchdog: deadline passed');
    lease.attemptControl.abort(new AttemptFailure(overdue.reason, describeOverdue(overdue.reason, ctx.deadlines), overdue.reason !== 'warm-vm-unused'));
  }
  endOverduePrJobs(ctx);
}

/**
 * A pull request's job past `prJobMs`: its VM is destroyed and the build fails visibly (not
 * retried: the same code would run as long again). GitHub then fails the job, its runner gone.
 */
function endOverduePrJobs(ctx: ManagerContext): void {
  const running: { key: string; startedAt: number }[] = [];
  for (const lease of ctx.leases.values()) {
    if (lease.phase === 'running' && lease.jobStartedAt !== undefined && isPullRequestBuildId(lease.buildId)) running.push({ key: lease.buildId, startedAt: lease.jobStartedAt });
  }
  for (const overdue of findOverduePrJobs(running, ctx.now(), ctx.deadlines)) {
    const lease = ctx.leases.get(overdue.key);
    if (lease === undefined || lease.attemptControl.signal.aborted) continue;
    lease.log.warn({ vmId: lease.vmId, reason: overdue.reason, overdueMs: overdue.overdueMs }, 'pull request job ran past its limit; destroying its VM');
    const failure = new AttemptFailure(overdue.reason, describeOverdue(overdue.reason, ctx.deadlines), false);
    // An adopted lease has no attempt loop: ending it tears the VM down.
    if (lease.adopted) lease.finished.abort(failure);
    else lease.attemptControl.abort(failure);
  }
}

function describeOverdue(reason: OverdueReason, deadlines: WatchdogDeadlines): string {
  switch (reason) {
    case 'clone-too-slow':
      return `the clone did not finish within ${deadlines.cloneMs} ms`;
    case 'vm-not-booting':
      return `the VM was not reachable within ${deadlines.bootMs} ms`;
    case 'runner-not-online':
      return `the runner did not come online within ${deadlines.runnerOnlineMs} ms (actions/runner#3621)`;
    case 'job-not-taken':
      return `the runner was online but took no job within ${deadlines.jobTakenMs} ms`;
    case 'warm-vm-unused':
      return `no job claimed the warm VM within ${deadlines.warmIdleMs} ms`;
    case 'pr-job-too-long':
      return `the pull request's job ran longer than ${deadlines.prJobMs} ms (runners.prJobMaxSeconds)`;
  }
}
