import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config-schema.ts';
import { createHostDiskProbe } from '../caches/create-host-disk-probe.ts';
import { DiskAdmissionService, type HostDiskProbe } from '../caches/disk-admission-service.ts';
import { createLocalHostShell, type HostShell } from '../images/host-shell.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';

export interface DiskAdmissionSources {
  readonly runners: Pick<RunnerManager, 'setHostAdmission' | 'hostsStatus'>;
  readonly hostShell: HostShell;
  /** Default over `hostShell` for tart and libvirt hosts (others are not measured). */
  readonly probe?: HostDiskProbe;
  readonly metrics: Registry;
  readonly log: Logger;
}

/** Disk admission per configured host: a host short of disk takes no new VM until space comes back. */
export function createDiskAdmission(config: Config, sources: DiskAdmissionSources): DiskAdmissionService {
  const { runners } = sources;
  const hosts = [...new Map(config.platforms.flatMap((p) => p.hosts.map((h) => [h.name, { name: h.name, address: h.address }] as const))).values()];
  return new DiskAdmissionService({
    hosts,
    probe:
      sources.probe ??
      createHostDiskProbe(sources.hostShell, createLocalHostShell(), {
        backendsOf: (host) => config.platforms.filter((p) => p.hosts.some((h) => h.name === host)).map((p) => p.backend),
        libvirtPoolDir: join(dirname(config.state.path), 'vms'),
        libvirtImagesDir: join(dirname(config.state.path), 'images'),
      }),
    policy: { vmBudgetGiB: config.caches.disk.vmBudgetGiB, reserveGiB: config.caches.disk.reserveGiB },
    admit: (host, update) => { runners.setHostAdmission(host, update); },
    vmsOn: (host) => runners.hostsStatus().find((h) => h.name === host)?.slots.flatMap((s) => (s.vmId === null ? [] : [s.vmId])) ?? [],
    metrics: sources.metrics,
    log: sources.log,
  });
}
