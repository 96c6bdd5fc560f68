import { join } from 'node:path';
import type { BackendName, Config } from '../config/config-schema.ts';
import { UserError } from '../errors/user-error.ts';
import { FakeVmBackend } from '../runners/backends/fake-vm-backend.ts';
import { LibvirtVmBackend } from '../runners/backends/libvirt-vm-backend.ts';
import { OrchardVmBackend } from '../runners/backends/orchard-vm-backend.ts';
import { TartVmBackend } from '../runners/backends/tart-vm-backend.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';

/**
 * One backend instance per backend the configured platforms use. libvirt keeps images and
 * overlays beside the state file; Orchard is reached with the service account of `orchard:`
 * (its token from the environment); the fake backend is for trying the controller without a Mac.
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
      case 'orchard': {
        const orchard = config.orchard;
        if (orchard === undefined) {
          throw new UserError(`${config.source}: backend "orchard" needs an orchard: section (url, serviceAccount, tokenEnv); see controller/config/portfarm.config.example.yaml`);
        }
        if (orchard.token === undefined) {
          throw new UserError(
            `no Orchard token: set the environment variable ${orchard.tokenEnv} to the token of the service account "${orchard.serviceAccount}" ` +
              `(orchard create service-account ${orchard.serviceAccount} --roles compute:read --roles compute:write; orchard get service-account ${orchard.serviceAccount})`,
          );
        }
        backends.orchard = new OrchardVmBackend({
          url: orchard.url,
          serviceAccountName: orchard.serviceAccount,
          serviceAccountToken: orchard.token,
          hostLabel: orchard.hostLabel,
        });
        break;
      }
    }
  }
  return backends;
}
