import type { HostRef } from '../runners/backends/vm-backend.ts';
import type { HostShell } from './host-shell.ts';
import type { ImageRegistryStore } from './image-registry-store.ts';
import type { ImageVersion } from './image-registry.ts';
import { planImageGc } from './plan-image-gc.ts';
import { planImageDelete } from './plan-seal.ts';
import { runHostSteps } from './run-host-steps.ts';

export interface CollectImageGarbageRequest {
  readonly platform: string;
  /** Every host of the platform: a sealed tart image exists on each host that pulled/cloned it. */
  readonly hosts: readonly HostRef[];
  /** Image names of every VM the backends list right now (in-flight VMs keep theirs). */
  readonly inUse: ReadonlySet<string>;
  readonly imagesDir: string;
  readonly libvirtUri: string;
  /** Versions the plan would remove but that must wait (e.g. their grace time has not passed); default all may go. */
  readonly eligible?: (version: ImageVersion) => boolean;
}

/**
 * Deletes image versions no rollout role and no VM needs, on every host, then forgets them in
 * the registry (one transaction each). A host that fails leaves the version registered, so the
 * next run retries it; deletion itself is idempotent.
 */
export async function collectImageGarbage(
  request: CollectImageGarbageRequest,
  deps: { readonly store: ImageRegistryStore; readonly hostShell: HostShell },
  signal: AbortSignal,
): Promise<readonly ImageVersion[]> {
  const plan = planImageGc(deps.store.get(request.platform), request.inUse);
  const removed: ImageVersion[] = [];
  for (const version of plan.remove) {
    if (request.eligible?.(version) === false) continue;
    // Orchard pulls from an OCI registry and the fake backend keeps nothing: nothing on the hosts to delete.
    if (version.backend === 'orchard' || version.backend === 'fake') {
      deps.store.apply(request.platform, { kind: 'forget', version: version.version });
      removed.push(version);
      continue;
    }
    const name = version.backend === 'libvirt' ? (version.image.split('/').at(-1) ?? version.image).replace(/\.qcow2$/, '') : version.image;
    const step = planImageDelete({ backend: version.backend, imageName: name, imagesDir: request.imagesDir, libvirtUri: request.libvirtUri });
    for (const host of request.hosts) await runHostSteps(deps.hostShell, host, [step], signal);
    deps.store.apply(request.platform, { kind: 'forget', version: version.version });
    removed.push(version);
  }
  return removed;
}
