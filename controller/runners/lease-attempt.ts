import type { PlatformConfig } from '../config/config-schema.ts';
import type { BuildId } from '../model/build-id.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { describeFailure, toFailure, type Lease } from './lease.ts';
import { bootVm, registerRunner, waitForClaim } from './lease-boot-and-register.ts';
import { runJob } from './lease-run.ts';
import { acquireSlot, cloneVm, nameVm } from './lease-slot-and-clone.ts';
import { teardownLease } from './lease-teardown.ts';
import { linkSignals } from './link-signals.ts';
import { backendOf, enter, isShuttingDown, markBuildFinished, type ManagerContext } from './manager-context.ts';
import { nextRetryDelayMs } from './watchdog-deadlines.ts';

/**
 * A new lease for a build and its attempt loop, in the background: slot → clone → boot →
 * register → runner → job → teardown, retried with backoff until it succeeds or the build fails
 * visibly (`onBuildFailed`). The lease leaves the table (and its slot) when the loop ends.
 */
export function createLease(ctx: ManagerContext, buildId: BuildId, platform: PlatformConfig, init: { jobId: number | null; warm: boolean }): Lease {
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const lease: Lease = {
    buildId,
    platform,
    log: ctx.log.child({ buildId, platform: platform.name }),
    jobId: init.jobId,
    queuedAt: init.jobId === null ? null : ctx.now(),
    warm: init.warm,
    wasWarm: init.warm,
    attempt: 1,
    phase: init.warm ? 'cloning' : 'waiting-slot',
    since: ctx.now(),
    vmId: undefined,
    host: undefined,
    image: undefined,
    runnerId: undefined,
    unconfirmedRegistration: undefined,
    registeredAt: undefined,
    jobStartedAt: undefined,
    jobTaken: false,
    conclusion: null,
    compromisedVm: undefined,
    adopted: false,
    finished: new AbortController(),
    attemptControl: new AbortController(),
    claim: undefined,
    done,
  };
  ctx.leases.set(buildId, lease);
  void runLease(ctx, lease).finally(() => {
    ctx.leases.delete(buildId);
    ctx.slots.release(buildId);
    resolveDone();
  });
  return lease;
}

async function runLease(ctx: ManagerContext, lease: Lease): Promise<void> {
  for (;;) {
    try {
      await attempt(ctx, lease);
      return;
    } catch (error) {
      const failure = toFailure(error, lease.attemptControl.signal);
      await teardownLease(ctx, lease);
      if (lease.finished.signal.aborted || ctx.shutdown.signal.aborted) return;
      if (lease.warm) {
        lease.log.info({ reason: failure.reason }, 'warm VM dropped');
        return;
      }
      const delay = nextRetryDelayMs(lease.attempt, failure.retryable, ctx.retry);
      if (delay === undefined) {
        markBuildFinished(ctx, lease.buildId);
        ctx.metrics.buildsFailed.inc({ platform: lease.platform.name, reason: failure.reason });
        lease.log.error({ attempts: lease.attempt, reason: failure.reason, err: failure }, 'no runner for this build; handing it back');
        ctx.onBuildFailed({
          buildId: lease.buildId,
          platform: lease.platform.name,
          attempts: lease.attempt,
          reason: describeFailure(failure),
          retryable: failure.retryable,
        });
        return;
      }
      ctx.metrics.retries.inc({ platform: lease.platform.name, reason: failure.reason });
      lease.log.warn({ attempt: lease.attempt, reason: failure.reason, retryInMs: delay, err: failure }, 'attempt failed; retrying');
      enter(ctx, lease, 'backoff');
      try {
        // stop() aborts attemptControl, which also ends this wait.
        lease.attemptControl = new AbortController();
        const linked = linkSignals([lease.attemptControl.signal, lease.finished.signal]);
        await abortableSleep(delay, linked.signal).finally(() => {
          linked.dispose();
        });
      } catch {
        return;
      }
      if (isShuttingDown(ctx)) return;
      lease.attempt += 1;
    }
  }
}

async function attempt(ctx: ManagerContext, lease: Lease): Promise<void> {
  // Not linked to the shutdown signal (hundreds of listeners on one EventTarget cost O(n²)): stop() aborts each attempt.
  const linked = linkSignals([lease.attemptControl.signal, lease.finished.signal]);
  try {
    await attemptUntil(ctx, lease, linked.signal);
  } finally {
    linked.dispose();
  }
}

async function attemptUntil(ctx: ManagerContext, lease: Lease, signal: AbortSignal): Promise<void> {
  const host = await acquireSlot(ctx, lease, signal);
  const { vmId, log } = nameVm(ctx, lease, host);
  // A backend without exec (Orchard) starts the runner from the VM's startup script: register before the clone.
  const byStartupScript = backendOf(ctx, lease.platform.backend).runnerStart === 'startup-script';
  const startupJitConfig = byStartupScript ? await registerRunner(ctx, lease, vmId, log, signal) : undefined;
  await cloneVm(ctx, lease, host, vmId, log, startupJitConfig, signal);
  await bootVm(ctx, lease, host, vmId, log, signal);
  await waitForClaim(ctx, lease, signal);
  const jitConfig = startupJitConfig ?? (await registerRunner(ctx, lease, vmId, log, signal));
  await runJob(ctx, lease, vmId, jitConfig, byStartupScript, log);
  markBuildFinished(ctx, lease.buildId);
  await teardownLease(ctx, lease);
}
