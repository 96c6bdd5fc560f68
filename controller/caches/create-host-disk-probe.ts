import { join } from 'node:path';
import type { BackendName } from '../config/config-schema.ts';
import type { HostShell } from '../images/host-shell.ts';
import type { HostRef } from '../runners/backends/vm-backend.ts';
import type { HostDiskProbe } from './disk-admission-service.ts';
import { measureHostDisk } from './measure-host-disk.ts';

/**
 * What to measure on a host, by the backend that serves it: tart keeps VMs (clones and sealed
 * images) in `~/.tart/vms` and pulled images in `~/.tart/cache` (ssh starts in the home folder,
 * so the paths are relative); libvirt keeps overlays in the pool folder and read-only bases in
 * the images folder, on the controller's own machine (the libvirt backend runs qemu-img and
 * virsh here), so those are measured with `localShell`. Fake and Orchard hosts have nothing portfarm measures (Orchard's workers
 * manage their own disks).
 */
export function createHostDiskProbe(
  shell: HostShell,
  localShell: HostShell,
  options: { readonly backendsOf: (host: string) => readonly BackendName[]; readonly libvirtPoolDir: string; readonly libvirtImagesDir: string },
): HostDiskProbe {
  return async (host: HostRef, signal: AbortSignal) => {
    const backends = options.backendsOf(host.name);
    if (backends.includes('tart')) {
      const m = await measureHostDisk(shell, host, { root: '.tart', folders: ['.tart/vms', '.tart/cache'] }, signal);
      return { totalBytes: m.totalBytes, freeBytes: m.freeBytes, usage: { clones: m.folders.get('.tart/vms') ?? 0, overlays: 0, caches: m.folders.get('.tart/cache') ?? 0, images: 0 } };
    }
    if (backends.includes('libvirt')) {
      const { libvirtPoolDir: pool, libvirtImagesDir: images } = options;
      // The pool folder appears with the first VM; its parent (the state folder) always exists.
      const m = await measureHostDisk(localShell, host, { root: join(pool, '..'), folders: [pool, images] }, signal);
      return { totalBytes: m.totalBytes, freeBytes: m.freeBytes, usage: { clones: 0, overlays: m.folders.get(pool) ?? 0, caches: 0, images: m.folders.get(images) ?? 0 } };
    }
    return null;
  };
}
