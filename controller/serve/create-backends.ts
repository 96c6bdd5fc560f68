import { join } from 'node:path';
import type { BackendName, Config } from '../config/config-schema.ts';
import { UserError } from '../errors/user-error.ts';
import { FakeVmBackend } from '../runners/backends/fake-vm-backend.ts';
import { LibvirtVmBackend } from '../runners/backends/libvirt-vm-backend.ts';
import { TartVmBackend } from '../runners/backends/tart-vm-backend.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';

/**
 * One backend instance per backend the configured platforms use. libvirt keeps images and
 * overlays beside the state file; the fake backend is for trying the controller without a Mac.
 */
export function createBackends(config: Config): Partial<Record<BackendName, VmBackend>> {
  const used = new Set(config.platforms.map((p) => p.backend));
  const backends: Partial<Record<BackendName, VmBackend>> = {};
  const stateDir = join(config.state.path, '..');
  for (const name of used) {
    switch (name) {
      case 'tart':
        backends.tart = new TartVmBackend();
        break;
      case 'libvirt':
        backends.libvirt = new LibvirtVmBackend({ imagesDir: join(stateDir, 'images'), poolDir: join(stateDir, 'vms') });
        break;
      case 'fake':
        backends.fake = new FakeVmBackend({ images: config.platforms.filter((p) => p.backend === 'fake').map((p) => p.image), bootMs: 2000 });
        break;
      case 'orchard':
        throw new UserError('backend "orchard" needs an orchard: section (controller URL, service account) that the config does not have yet; use tart, libvirt or fake');
    }
  }
  return backends;
}
