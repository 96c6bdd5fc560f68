import { isPullRequestBuildId } from '../model/build-id.ts';
import type { Lease } from './lease.ts';
import { teardownLease } from './lease-teardown.ts';
import { backendOf, noteRegistrations, type ManagerContext } from './manager-context.ts';
import { planReconcile, type LiveVm, type ReconcilePlan } from './plan-reconcile.ts';
import type { RegisteredRunner } from './runner-registry.ts';
import { parseVmName } from './vm-name.ts';

/**
 * Orphans on either side are reaped: registrations without a VM deleted, VMs without a
 * registration or lease destroyed (clones included), VMs running a job adopted.
 */
export async function reconcile(ctx: ManagerContext, signal: AbortSignal): Promise<ReconcilePlan> {
  const vms: LiveVm[] = [];
  ctx.listedImages.clear();
  for (const host of ctx.hosts) {
    for (const backendName of host.backends) {
      const backend = backendOf(ctx, backendName);
      for (const vm of await backend.list(host, signal)) {
        vms.push({ vmId: vm.vmId, host: host.name });
        if (vm.image !== null) ctx.listedImages.set(vm.vmId, vm.image);
      }
    }
  }
  const runners = await ctx.registry.listRunners(signal);
  ctx.lastVms = vms;
  noteRegistrations(ctx, runners);
  const active = new Set([...ctx.leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [l.vmId])));
  const plan = planReconcile({ vms, runners, active });
  for (const vm of plan.destroyVms) {
    const host = ctx.hosts.find((h) => h.name === vm.host);
    if (host === undefined) continue;
    for (const backendName of host.backends) await backendOf(ctx, backendName).destroy(vm.vmId, signal);
    ctx.metrics.orphansReaped.inc({ kind: 'vm', reason: vm.reason });
    ctx.log.warn({ vmId: vm.vmId, host: vm.host, reason: vm.reason }, 'reaped orphan VM');
  }
  for (const runner of plan.deleteRunners) {
    await ctx.registry.deleteRunner(runner.id, signal);
    ctx.metrics.orphansReaped.inc({ kind: 'registration', reason: runner.reason });
    ctx.log.warn({ runnerId: runner.id, runnerName: runner.name, reason: runner.reason }, 'deleted orphan registration');
  }
  for (const adopted of plan.adopt) adopt(ctx, adopted, runners);
  if (plan.destroyVms.length + plan.deleteRunners.length > 0) {
    ctx.lastVms = vms.filter((vm) => !plan.destroyVms.some((d) => d.vmId === vm.vmId));
    ctx.registrations = runners.filter((r) => !plan.deleteRunners.some((d) => d.id === r.id));
  }
  return plan;
}

/**
 * A VM whose runner is mid-job after a restart: it gets a lease in 'running' and its slot, and
 * is torn down when its job ends. Its job is judged like any other (job-identity.ts).
 */
function adopt(ctx: ManagerContext, adopted: LiveVm & { readonly runnerId: number; readonly buildId: string }, runners: readonly RegisteredRunner[]): void {
  const runner = runners.find((r) => r.id === adopted.runnerId);
  const platform = [...ctx.platforms.values()].find((p) => runner?.labels.includes(p.name) === true && p.hosts.some((h) => h.name === adopted.host));
  if (platform === undefined || ctx.leases.has(adopted.buildId)) return;
  const host = ctx.hosts.find((h) => h.name === adopted.host);
  if (host === undefined) return;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const lease: Lease = {
    buildId: adopted.buildId,
    platform,
    log: ctx.log.child({ buildId: adopted.buildId, platform: platform.name }),
    jobId: null,
    queuedAt: null,
    warm: false,
    wasWarm: false,
    attempt: parseVmName(adopted.vmId)?.attempt ?? 1,
    phase: 'running',
    since: ctx.now(),
    vmId: adopted.vmId,
    host,
    image: ctx.listedImages.get(adopted.vmId),
    runnerId: adopted.runnerId,
    unconfirmedRegistration: undefined,
    registeredAt: ctx.now(),
    jobStartedAt: undefined,
    jobTaken: true,
    conclusion: null,
    compromisedVm: undefined,
    adopted: true,
    finished: new AbortController(),
    attemptControl: new AbortController(),
    claim: undefined,
    done,
  };
  ctx.leases.set(adopted.buildId, lease);
  ctx.slots.occupy(adopted.buildId, platform.name, host.name, isPullRequestBuildId(adopted.buildId) ? 'pr' : 'master');
  lease.log.info({ vmId: adopted.vmId, runnerId: adopted.runnerId }, 'adopted a VM whose runner is running a job');
  const finished = lease.finished.signal;
  void new Promise<void>((resolve) => {
    finished.addEventListener('abort', () => {
      resolve();
    }, { once: true });
  })
    .then(() => teardownLease(ctx, lease))
    .finally(() => {
      ctx.leases.delete(adopted.buildId);
      ctx.slots.release(adopted.buildId);
      resolveDone();
    });
}
