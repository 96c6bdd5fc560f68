import type { Logger } from 'pino';
import { coerceError } from '../errors/coerce-error.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { AttemptFailure, type Lease } from './lease.ts';
import { backendOf, enter, type ManagerContext } from './manager-context.ts';

/** Upper bound for `beforeDestroy` (a distfile collection over the farm's network). */
const BEFORE_DESTROY_MS = 600_000;

/**
 * The end of every attempt: the build's own VM gives up its distfiles (`beforeDestroy`), the VM
 * is destroyed (its slot is freed only once it is gone), and the registration is deleted.
 * Registration failures are logged and left to reconcile; never throws.
 */
export async function teardownLease(ctx: ManagerContext, lease: Lease): Promise<void> {
  if (lease.vmId === undefined && lease.runnerId === undefined && lease.unconfirmedRegistration === undefined) return;
  enter(ctx, lease, 'tearing-down');
  lease.attemptControl.abort(new AttemptFailure('teardown', 'tearing down', false));
  const vmId = lease.vmId;
  const log = lease.log.child({ vmId });
  // Only the build's own job's VM is collected from; a VM a foreign job ran in is never trusted.
  if (vmId !== undefined && lease.jobTaken && lease.compromisedVm !== vmId && ctx.beforeDestroy !== undefined) await runBeforeDestroy(ctx, lease, vmId, log);
  // The slot stays held until the VM is gone: a slot freed while its VM still runs lets a third VM onto a 2-VM host.
  if (vmId !== undefined && !(await destroyUntilGone(ctx, lease, vmId, log))) return;
  // Teardown must run even during shutdown: its own signal, started after the VM is gone (the collection before it may take minutes).
  const signal = AbortSignal.timeout(ctx.deadlines.cloneMs);
  if (lease.runnerId !== undefined) {
    const runnerId = lease.runnerId;
    try {
      // After its job an ephemeral runner has usually removed itself: look (a GET) before deleting (a mutation, 5 rate-limit points).
      const stillRegistered = !lease.jobTaken || (await ctx.registry.listRunners(signal)).some((r) => r.id === runnerId);
      if (stillRegistered) await ctx.registry.deleteRunner(runnerId, signal);
    } catch (error) {
      log.error({ err: coerceError(error), runnerId: lease.runnerId }, 'deleting the registration failed; reconcile will reap it');
    }
  } else if (lease.unconfirmedRegistration !== undefined) {
    const name = lease.unconfirmedRegistration;
    try {
      const made = (await ctx.registry.listRunners(signal)).filter((r) => r.name === name);
      for (const runner of made) await ctx.registry.deleteRunner(runner.id, signal);
      if (made.length > 0) log.warn({ runner: name, runnerIds: made.map((r) => r.id) }, 'GitHub made a registration whose answer was lost; deleted it');
    } catch (error) {
      log.error({ err: coerceError(error), runner: name }, 'looking for a registration whose answer was lost failed; reconcile will reap it');
    }
  }
  lease.unconfirmedRegistration = undefined;
  log.info({ runnerId: lease.runnerId ?? null }, lease.runnerId === undefined ? 'VM destroyed' : 'VM destroyed and registration gone');
  lease.vmId = undefined;
  lease.runnerId = undefined;
  lease.jobTaken = false;
  ctx.slots.release(lease.buildId);
}

/**
 * Destroys the VM, again and again with backoff until the backend confirms it gone; each try
 * has its own deadline. False only when the controller shuts down first (the next start's
 * reconcile reaps the VM).
 */
async function destroyUntilGone(ctx: ManagerContext, lease: Lease, vmId: string, log: Logger): Promise<boolean> {
  const backend = backendOf(ctx, lease.platform.backend);
  for (let tries = 1; ; tries += 1) {
    try {
      await backend.destroy(vmId, AbortSignal.timeout(ctx.deadlines.cloneMs));
      return true;
    } catch (error) {
      ctx.metrics.destroyFailures.inc({ backend: backend.name });
      log.error({ err: coerceError(error), tries }, 'destroying the VM failed; its slot stays held and the destroy is tried again');
    }
    try {
      await abortableSleep(Math.min(ctx.retry.maxDelayMs, ctx.retry.baseDelayMs * 2 ** Math.min(tries - 1, 20)), ctx.shutdown.signal);
    } catch {
      log.warn({ tries }, 'shutting down with the VM not destroyed; the next start reaps it');
      return false;
    }
  }
}

/** The VM's job is over: wait (bounded) for its conclusion, then the hook; never throws. */
async function runBeforeDestroy(ctx: ManagerContext, lease: Lease, vmId: string, log: Logger): Promise<void> {
  const hook = ctx.beforeDestroy;
  if (hook === undefined) return;
  if (!lease.finished.signal.aborted) {
    // The runner can exit before the job's completed webhook arrives.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ctx.conclusionWaitMs);
      timer.unref();
      lease.finished.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
  try {
    const backend = backendOf(ctx, lease.platform.backend);
    await hook({ buildId: lease.buildId, platform: lease.platform.name, vmId, backend, conclusion: lease.conclusion }, AbortSignal.timeout(BEFORE_DESTROY_MS));
  } catch (error) {
    log.warn({ err: coerceError(error) }, 'work before destroying the VM failed; destroying it anyway');
  }
}
