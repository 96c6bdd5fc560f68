import type { Logger } from 'pino';
import { isPullRequestBuildId } from '../model/build-id.ts';
import { AttemptFailure, type Lease } from './lease.ts';
import { backendOf, enter, type ManagedHost, type ManagerContext } from './manager-context.ts';
import { redactError } from './redact-secret.ts';
import { runnerInput } from './runner-command.ts';
import { randomNonce, vmName } from './vm-name.ts';

/** The first steps of an attempt: a slot on a host (a warm lease took its slot in warmStart). */
export async function acquireSlot(ctx: ManagerContext, lease: Lease, signal: AbortSignal): Promise<ManagedHost> {
  if (!lease.warm || lease.attempt > 1) {
    enter(ctx, lease, 'waiting-slot');
    const slot = ctx.slots.acquire(lease.buildId, lease.platform.name, signal, isPullRequestBuildId(lease.buildId) ? 'pr' : 'master');
    if (ctx.slots.table.waiting.some((w) => w.ticket === lease.buildId)) evictWarmFor(ctx, lease.platform.name);
    await slot;
  }
  const grant = ctx.slots.table.held.find((g) => g.ticket === lease.buildId);
  const host = ctx.hosts.find((h) => h.name === grant?.host);
  if (host === undefined) throw new AttemptFailure('no-slot', 'the slot was lost before the clone', true);
  return host;
}

/** Names this attempt's VM (also its runner's name) and records it on the lease before anything exists, so teardown always knows what to destroy. */
export function nameVm(ctx: ManagerContext, lease: Lease, host: ManagedHost): { readonly vmId: string; readonly log: Logger } {
  const vmId = vmName(lease.buildId, lease.attempt, randomNonce());
  lease.vmId = vmId;
  lease.host = host;
  lease.image = ctx.imageFor(lease.platform, lease.buildId);
  return { vmId, log: lease.log.child({ vmId, host: host.name }) };
}

/**
 * Copy-on-write clone of the build's image. `startupJitConfig`: a backend without exec (Orchard)
 * is given the runner command to run at boot, with the JIT config as its stdin (never its argv);
 * an error of that clone is redacted, since the request carried the secret.
 */
export async function cloneVm(ctx: ManagerContext, lease: Lease, host: ManagedHost, vmId: string, log: Logger, startupJitConfig: string | undefined, signal: AbortSignal): Promise<void> {
  const backend = backendOf(ctx, lease.platform.backend);
  const image = lease.image ?? ctx.imageFor(lease.platform, lease.buildId);
  enter(ctx, lease, 'cloning');
  const cloneStarted = ctx.now();
  log.info({ image }, 'cloning VM');
  await backend
    .clone(
      startupJitConfig === undefined ? { vmId, image, host } : { vmId, image, host, startupCommand: { argv: ctx.runnerCommand, input: runnerInput(startupJitConfig) } },
      signal,
    )
    .catch((error: unknown) => {
      throw startupJitConfig === undefined ? error : redactError(error, startupJitConfig);
    });
  ctx.metrics.cloneSeconds.observe({ backend: backend.name, host: host.name }, (ctx.now() - cloneStarted) / 1000);
}

/** Frees a slot for a waiting platform by dropping the oldest unclaimed warm VM on a host that serves it. */
function evictWarmFor(ctx: ManagerContext, platform: string): void {
  const hosts = new Set(ctx.hosts.filter((h) => h.platforms.includes(platform)).map((h) => h.name));
  const victim = [...ctx.leases.values()]
    .filter((l) => l.warm && hosts.has(ctx.slots.table.held.find((g) => g.ticket === l.buildId)?.host ?? ''))
    .sort((a, b) => a.since - b.since)[0];
  if (victim === undefined) return;
  victim.log.info({ vmId: victim.vmId, for: platform }, 'evicting warm VM: a queued job needs its slot');
  victim.attemptControl.abort(new AttemptFailure('evicted', 'evicted for a queued job', false));
}
