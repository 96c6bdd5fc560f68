import type { Logger } from 'pino';
import type { CacheLayout } from '../caches/cache-layout.ts';
import type { CacheServer } from '../caches/cache-server.ts';
import type { QuarantineBudget } from '../caches/quarantine-budget.ts';
import { collectDistfiles } from '../caches/collect-distfiles.ts';
import type { DistfileChecksums } from '../caches/expected-distfile.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import { isPullRequestBuildId } from '../model/build-id.ts';
import type { BuildKind, BuildResult } from '../model/build-kind.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { FinishedVm } from '../runners/runner-manager.ts';

export interface OnVmTeardownOptions {
  readonly reorder: Pick<ReorderService, 'describeBuild'>;
  readonly server: CacheServer;
  readonly layout: CacheLayout;
  readonly quarantineDays: number;
  /** What one PR build may put into quarantine (`caches.quarantineMaxGiB`, `quarantineMaxFiles`). */
  readonly quarantineBudget?: QuarantineBudget;
  /** The checksums a master builder's port had at the revision it built: all it may add to the mirror. */
  readonly distfileChecksums: DistfileChecksums;
  /** Refused files (mirror-unplanned-file, …) are counted with the other trust-boundary refusals. */
  readonly rejections: EventRejections;
  readonly log: Logger;
  readonly now: () => Date;
}

/**
 * A VM's job is over and the VM is about to be destroyed: the distfiles its build fetched go to
 * the mirror (a successful master builder: only its own port's checksummed distfiles, checked
 * byte for byte) or the build's quarantine (a PR), else nowhere.
 * Only with a build cache (`caches.server`); its failure is logged by the runner manager.
 */
export function createOnVmTeardown(options: OnVmTeardownOptions): (vm: FinishedVm, signal: AbortSignal) => Promise<void> {
  const { reorder, log } = options;
  return async (vm, signal) => {
    const entry = reorder.describeBuild(vm.buildId);
    // A build the queue does not know is never trusted with the mirror; PR builds are not queued but are known by their id.
    const kind: BuildKind | null = entry?.kind ?? (isPullRequestBuildId(vm.buildId) ? (vm.buildId.endsWith('-list') ? 'pr-watcher' : 'pr-builder') : null);
    if (kind === null) {
      log.info({ buildId: vm.buildId, vmId: vm.vmId }, 'distfiles not collected: the build is not in the queue');
      return;
    }
    const result: BuildResult = vm.conclusion === 'success' ? 'success' : vm.conclusion === 'cancelled' ? 'cancelled' : 'failure';
    // A master builder may add to the mirror only its own port's checksummed distfiles, at the revision it built.
    const builtPort = kind === 'builder' ? (entry?.port ?? null) : null;
    const expected = builtPort === null || entry === undefined ? undefined : options.distfileChecksums(builtPort, entry.portsRevision);
    const plan = await collectDistfiles(
      { vmId: vm.vmId, buildId: vm.buildId, kind, result, expected },
      { backend: vm.backend, server: options.server, layout: options.layout, now: options.now, quarantineDays: options.quarantineDays, ...(options.quarantineBudget === undefined ? {} : { quarantineBudget: options.quarantineBudget }), rejections: options.rejections },
      signal,
    );
    const files = plan.destination === 'none' ? 0 : plan.files.length;
    log.info({ buildId: vm.buildId, vmId: vm.vmId, destination: plan.destination, files, rejected: plan.rejected.length, reason: plan.reason }, 'distfiles collected');
  };
}
