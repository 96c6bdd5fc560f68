import type { HostStatus, RunnerStatus, SlotStatus } from '../status/status-snapshot.ts';
import type { LeasePhase } from './lease.ts';
import type { ManagerContext } from './manager-context.ts';
import { parseVmName } from './vm-name.ts';

/** The status-snapshot `hosts` entries: every configured host once, its slots and what fills them. */
export function hostsStatus(ctx: ManagerContext): HostStatus[] {
  const table = ctx.slots.table;
  return ctx.hosts.map((host) => {
    const slots: SlotStatus[] = [];
    for (let index = 0; index < host.maxVms; index += 1) {
      const grant = table.held.find((g) => g.host === host.name && g.index === index);
      const lease = grant === undefined ? undefined : ctx.leases.get(grant.ticket);
      if (lease === undefined || grant === undefined) {
        slots.push({ index, state: 'empty', vmId: null, buildId: null, platform: null, port: null, since: null, image: null });
        continue;
      }
      slots.push({
        index,
        state: slotState(lease.phase),
        vmId: lease.vmId ?? null,
        buildId: lease.buildId,
        platform: lease.platform.name,
        port: ctx.portOf(lease.buildId),
        since: new Date(lease.since).toISOString(),
        image: lease.image ?? null,
      });
    }
    const admission = ctx.admission.get(host.name);
    return {
      name: host.name,
      address: host.address,
      platforms: [...host.platforms],
      maxVms: host.maxVms,
      diskFreeGiB: admission?.diskFreeGiB ?? null,
      refusing: admission?.refusing ?? null,
      slots,
    };
  });
}

/** The status-snapshot `runners` entries: portfarm's registrations as last listed, with suspicions. */
export function runnersStatus(ctx: ManagerContext): RunnerStatus[] {
  const now = ctx.now();
  const liveVms = new Set(ctx.lastVms.map((v) => v.vmId));
  const leasesByVm = new Map([...ctx.leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [[l.vmId, l] as const])));
  const result: RunnerStatus[] = [];
  for (const runner of ctx.registrations) {
    const parsed = parseVmName(runner.name);
    if (parsed === undefined) continue;
    const lease = leasesByVm.get(runner.name);
    const hasVm = lease !== undefined || liveVms.has(runner.name);
    const registeredAt = lease?.registeredAt ?? ctx.registrationsSeen.get(runner.name) ?? now;
    const idleTooLong = runner.status === 'online' && !runner.busy && now - registeredAt > ctx.deadlines.jobTakenMs / 2;
    result.push({
      id: runner.id,
      name: runner.name,
      buildId: parsed.buildId,
      platform: lease?.platform.name ?? runner.labels.find((l) => ctx.platforms.has(l)) ?? null,
      vmId: hasVm ? runner.name : null,
      status: runner.status,
      busy: runner.busy,
      registeredAt: new Date(registeredAt).toISOString(),
      jobStartedAt: lease?.jobStartedAt === undefined ? null : new Date(lease.jobStartedAt).toISOString(),
      suspicious: !hasVm && ctx.unmatched.confirmed(runner.name) ? 'registration-without-vm' : idleTooLong ? 'idle-too-long' : null,
    });
  }
  return result;
}

/** Slots by state per host, for the `portfarm_vms` gauge. */
export function vmsByState(ctx: ManagerContext): { host: string; state: string; count: number }[] {
  const rows: { host: string; state: string; count: number }[] = [];
  for (const host of hostsStatus(ctx)) {
    const counts = new Map<string, number>();
    for (const slot of host.slots) counts.set(slot.state, (counts.get(slot.state) ?? 0) + 1);
    for (const [state, count] of counts) rows.push({ host: host.name, state, count });
  }
  return rows;
}

function slotState(phase: LeasePhase): SlotStatus['state'] {
  switch (phase) {
    case 'cloning':
      return 'cloning';
    case 'booting':
    case 'warm':
    case 'registering':
    case 'starting-runner':
      return 'booting';
    case 'runner-online':
      return 'runner-online';
    case 'running':
      return 'running';
    case 'tearing-down':
      return 'tearing-down';
    case 'waiting-slot':
    case 'backoff':
      return 'empty';
  }
}
