const GIB = 1024 ** 3;

/** What a host's disk looks like now, measured on the host (df/du) by the caller. */
export interface HostDiskReport {
  readonly host: string;
  readonly totalBytes: number;
  readonly freeBytes: number;
  /** What portfarm holds there, for the explanation an operator reads. */
  readonly usage: { readonly clones: number; readonly overlays: number; readonly caches: number; readonly images: number };
  /** Running VMs and how much each has written so far: each may still grow to the VM budget. */
  readonly runningVms: readonly { readonly vmId: string; readonly writtenBytes: number }[];
}

export interface DiskPolicy {
  /** How much one build VM may write (its clone/overlay growth), GiB. */
  readonly vmBudgetGiB: number;
  /** Left free for the host itself (logs, swap, tart's own files), GiB. */
  readonly reserveGiB: number;
}

export interface HostAdmission {
  readonly host: string;
  readonly diskFreeGiB: number;
  /** Free space after promising every running VM its budget and keeping the reserve, GiB. */
  readonly headroomGiB: number;
  /** Why the host takes no new VM (status snapshot `hosts[].refusing`), or null. */
  readonly refusing: string | null;
}

/**
 * Disk admission for one host: a new VM is taken only if, after every running VM is promised
 * the rest of its budget and the reserve is kept, a whole budget is still free. Pure; time-free.
 */
export function decideHostAdmission(report: HostDiskReport, policy: DiskPolicy): HostAdmission {
  const budget = policy.vmBudgetGiB * GIB;
  const promised = report.runningVms.reduce((sum, vm) => sum + Math.max(0, budget - vm.writtenBytes), 0);
  const headroom = report.freeBytes - promised - policy.reserveGiB * GIB;
  const diskFreeGiB = round(report.freeBytes / GIB);
  const headroomGiB = round(headroom / GIB);
  if (headroom >= budget) return { host: report.host, diskFreeGiB, headroomGiB, refusing: null };
  const u = report.usage;
  const refusing =
    `disk short: ${fmt(report.freeBytes)} GiB free; ${fmt(promised)} GiB promised to ${report.runningVms.length} running VM(s) ` +
    `and the ${fmt(policy.reserveGiB * GIB)} GiB reserve leave ${fmt(headroom)} GiB, a new VM needs ${fmt(budget)} GiB ` +
    `(portfarm holds clones ${fmt(u.clones)}, overlays ${fmt(u.overlays)}, caches ${fmt(u.caches)}, images ${fmt(u.images)} GiB); ` +
    'delete unused image versions (GC), sweep the quarantine or free disk';
  return { host: report.host, diskFreeGiB, headroomGiB, refusing };
}

/** Alert lines for the status snapshot: one per refusing host. */
export function hostDiskAlerts(admissions: readonly HostAdmission[]): readonly string[] {
  return admissions.flatMap((a) => (a.refusing === null ? [] : [`host ${a.host} takes no VMs: ${a.refusing}`]));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function fmt(bytes: number): string {
  return (bytes / GIB).toFixed(1);
}
