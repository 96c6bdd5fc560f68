import type { RegisteredRunner } from './runner-registry.ts';
import { parseVmName } from './vm-name.ts';

export interface LiveVm {
  readonly vmId: string;
  readonly host: string;
}

export interface ReconcileInput {
  /** Every VM and leftover clone portfarm made, on every host (backend `list`). */
  readonly vms: readonly LiveVm[];
  /** Every runner registration of the repository. */
  readonly runners: readonly RegisteredRunner[];
  /** VM names the manager is handling right now: never touched. */
  readonly active: ReadonlySet<string>;
}

export type ReconcileReason = 'registration-without-vm' | 'vm-without-registration' | 'idle-vm-without-lease';

export interface ReconcilePlan {
  readonly destroyVms: readonly (LiveVm & { readonly reason: ReconcileReason })[];
  readonly deleteRunners: readonly { readonly id: number; readonly name: string; readonly reason: ReconcileReason }[];
  /** VMs whose runner is running a job but which no lease owns (a restart mid-job): let the job finish. */
  readonly adopt: readonly (LiveVm & { readonly runnerId: number; readonly buildId: string })[];
}

/**
 * Pairs VMs and registrations by name (the runner name is the VM name) and decides what is an
 * orphan. Only names portfarm makes are touched; a busy runner is never killed mid-job.
 */
export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const destroyVms: (LiveVm & { reason: ReconcileReason })[] = [];
  const deleteRunners: { id: number; name: string; reason: ReconcileReason }[] = [];
  const adopt: (LiveVm & { runnerId: number; buildId: string })[] = [];
  const vmsByName = new Map(input.vms.map((vm) => [vm.vmId, vm]));
  const runnersByName = new Map<string, RegisteredRunner>();
  for (const runner of input.runners) {
    if (parseVmName(runner.name) === undefined) continue;
    runnersByName.set(runner.name, runner);
    if (input.active.has(runner.name) || vmsByName.has(runner.name)) continue;
    deleteRunners.push({ id: runner.id, name: runner.name, reason: 'registration-without-vm' });
  }
  for (const vm of input.vms) {
    const parsed = parseVmName(vm.vmId);
    if (parsed === undefined || input.active.has(vm.vmId)) continue;
    const runner = runnersByName.get(vm.vmId);
    if (runner === undefined) {
      destroyVms.push({ ...vm, reason: 'vm-without-registration' });
    } else if (runner.busy) {
      adopt.push({ ...vm, runnerId: runner.id, buildId: parsed.buildId });
    } else {
      destroyVms.push({ ...vm, reason: 'idle-vm-without-lease' });
      deleteRunners.push({ id: runner.id, name: runner.name, reason: 'idle-vm-without-lease' });
    }
  }
  return { destroyVms, deleteRunners, adopt };
}
