import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { coerceError } from '../errors/coerce-error.ts';
import type { HostAdmissionUpdate } from '../runners/runner-manager.ts';
import type { HostRef } from '../runners/backends/vm-backend.ts';
import { decideHostAdmission, hostDiskAlerts, type DiskPolicy, type HostAdmission, type HostDiskReport } from './decide-host-admission.ts';

/** A host's disk as measured now; null when the host has nothing portfarm can measure (fake, Orchard). */
export type HostDiskProbe = (host: HostRef, signal: AbortSignal) => Promise<Omit<HostDiskReport, 'host' | 'runningVms'> | null>;

export interface DiskAdmissionServiceOptions {
  readonly hosts: readonly HostRef[];
  readonly probe: HostDiskProbe;
  readonly policy: DiskPolicy;
  /** Where admission takes effect (the runner manager): a refusing host gets no new VM. */
  readonly admit: (host: string, update: HostAdmissionUpdate) => void;
  /** VMs on the host now; each is promised its whole budget (what it wrote so far is not measured). */
  readonly vmsOn: (host: string) => readonly string[];
  readonly metrics: Registry;
  readonly log: Logger;
}

/**
 * Disk admission per host: measures each host (clones, overlays, caches, images and free space),
 * decides with `decideHostAdmission`, and tells the runner manager; a host short of disk takes no
 * new VM and says why (status, TUI, log, metric) until space comes back. A host that cannot be
 * measured keeps its last decision.
 */
export class DiskAdmissionService {
  readonly #options: DiskAdmissionServiceOptions;
  readonly #admissions = new Map<string, HostAdmission>();
  readonly #probeFailures = new Map<string, string>();
  readonly #free: Gauge<'host'>;
  readonly #refusing: Gauge<'host'>;
  readonly #usage: Gauge<'host' | 'kind'>;
  /** Checks run one after another: a later check's measurement is always the one that stands. */
  #last: Promise<unknown> = Promise.resolve();

  constructor(options: DiskAdmissionServiceOptions) {
    this.#options = options;
    const registers = [options.metrics];
    this.#free = new Gauge({ name: 'portfarm_host_disk_free_bytes', help: 'Free bytes on the filesystem holding a host\'s VMs', labelNames: ['host'], registers });
    this.#refusing = new Gauge({ name: 'portfarm_host_refusing_vms', help: '1 while a host takes no new VMs because its disk is short', labelNames: ['host'], registers });
    this.#usage = new Gauge({ name: 'portfarm_host_disk_usage_bytes', help: 'What portfarm holds on a host: clones, overlays, caches, images', labelNames: ['host', 'kind'], registers });
  }

  /** Measures every host once and applies the decisions (after any check still running). Never throws. */
  check(signal: AbortSignal): Promise<readonly HostAdmission[]> {
    const next = this.#last.then(() => this.#checkNow(signal));
    this.#last = next.catch(() => undefined);
    return next;
  }

  async #checkNow(signal: AbortSignal): Promise<readonly HostAdmission[]> {
    for (const host of this.#options.hosts) {
      let measured: Awaited<ReturnType<HostDiskProbe>>;
      try {
        measured = await this.#options.probe(host, signal);
        this.#probeFailures.delete(host.name);
      } catch (error) {
        const message = coerceError(error).message;
        if (this.#probeFailures.get(host.name) !== message) {
          this.#options.log.warn({ host: host.name, err: coerceError(error) }, 'disk check failed; the host keeps its last admission');
        }
        this.#probeFailures.set(host.name, message);
        continue;
      }
      if (measured === null) continue;
      const report: HostDiskReport = { ...measured, host: host.name, runningVms: this.#options.vmsOn(host.name).map((vmId) => ({ vmId, writtenBytes: 0 })) };
      this.#apply(decideHostAdmission(report, this.#options.policy), report);
    }
    return [...this.#admissions.values()];
  }

  /** One alert line per refusing host. */
  alerts(): readonly string[] {
    return hostDiskAlerts([...this.#admissions.values()]);
  }

  #apply(admission: HostAdmission, report: HostDiskReport): void {
    const before = this.#admissions.get(admission.host);
    this.#admissions.set(admission.host, admission);
    this.#options.admit(admission.host, { diskFreeGiB: admission.diskFreeGiB, refusing: admission.refusing });
    this.#free.set({ host: admission.host }, report.freeBytes);
    this.#refusing.set({ host: admission.host }, admission.refusing === null ? 0 : 1);
    for (const [kind, bytes] of Object.entries(report.usage)) this.#usage.set({ host: admission.host, kind }, bytes);
    const wasRefusing = before !== undefined && before.refusing !== null;
    if (admission.refusing !== null && !wasRefusing) {
      this.#options.log.warn({ host: admission.host, diskFreeGiB: admission.diskFreeGiB, headroomGiB: admission.headroomGiB, reason: admission.refusing }, 'host takes no new VMs: disk short');
    } else if (admission.refusing === null && wasRefusing) {
      this.#options.log.info({ host: admission.host, diskFreeGiB: admission.diskFreeGiB, headroomGiB: admission.headroomGiB }, 'host takes VMs again: disk space is back');
    }
  }
}
