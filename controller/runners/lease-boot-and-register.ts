import type { Logger } from 'pino';
import { buildLabel, isPullRequestBuildId } from '../model/build-id.ts';
import { toFailure, type Lease } from './lease.ts';
import { backendOf, enter, type ManagedHost, type ManagerContext } from './manager-context.ts';

/** Boots the cloned VM and waits until it answers (the backend enforces bootMs). */
export async function bootVm(ctx: ManagerContext, lease: Lease, host: ManagedHost, vmId: string, log: Logger, signal: AbortSignal): Promise<void> {
  const backend = backendOf(ctx, lease.platform.backend);
  enter(ctx, lease, 'booting');
  const bootStarted = ctx.now();
  await backend.start(vmId, signal);
  const { address } = await backend.waitReachable(vmId, ctx.deadlines.bootMs, signal);
  ctx.metrics.bootSeconds.observe({ backend: backend.name, host: host.name }, (ctx.now() - bootStarted) / 1000);
  log.info({ address }, 'VM reachable');
}

/** A warm VM waits here until a queued job claims it (or the watchdog, eviction or shutdown ends it). */
export async function waitForClaim(ctx: ManagerContext, lease: Lease, signal: AbortSignal): Promise<void> {
  if (!lease.warm) return;
  enter(ctx, lease, 'warm');
  await new Promise<void>((resolve, reject) => {
    lease.claim = resolve;
    if (!lease.warm) resolve();
    signal.addEventListener('abort', () => {
      reject(toFailure(signal.reason, signal));
    }, { once: true });
  });
  lease.claim = undefined;
  lease.queuedAt ??= ctx.now();
}

/**
 * Registers the JIT runner: unique name (= VM name), labels only this build's job asks for;
 * returns its encoded config (a secret: it goes to the runner on stdin and nowhere else).
 */
export async function registerRunner(ctx: ManagerContext, lease: Lease, vmId: string, log: Logger, signal: AbortSignal): Promise<string> {
  enter(ctx, lease, 'registering');
  const labels = ['self-hosted', lease.platform.name, ...lease.platform.labels, buildLabel(lease.buildId)];
  lease.unconfirmedRegistration = vmId;
  const runnerGroupId = isPullRequestBuildId(lease.buildId) ? ctx.pullRequestRunnerGroupId : ctx.runnerGroupId;
  const jit = await ctx.registry.generateJitConfig({ name: vmId, labels, runnerGroupId, workFolder: ctx.workFolder }, signal);
  lease.unconfirmedRegistration = undefined;
  lease.runnerId = jit.runner.id;
  lease.registeredAt = ctx.now();
  log.info({ runnerId: jit.runner.id, labels }, 'runner registered');
  return jit.encodedJitConfig;
}
