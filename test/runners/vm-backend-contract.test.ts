import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeVmBackend } from '../../controller/runners/backends/fake-vm-backend.ts';
import { OrchardVmBackend } from '../../controller/runners/backends/orchard-vm-backend.ts';
import { LibvirtVmBackend } from '../../controller/runners/backends/libvirt-vm-backend.ts';
import { TartVmBackend } from '../../controller/runners/backends/tart-vm-backend.ts';
import { runVmBackendContract, type ContractImplementation } from './vm-backend-contract.ts';
import { FAKE_TART, tartEnv } from './fake-tart-env.ts';
import { createQcow2Base } from './qcow2-base.ts';
import { createVirshDouble } from './virsh-double.ts';
import { startOrchardDouble } from './orchard-double/orchard-double.ts';

const host = { name: 'mini-1', address: '127.0.0.1' };

/** Every VmBackend implementation; a new backend is one entry here. */
const implementations: ContractImplementation[] = [
  {
    name: 'fake',
    create: () => Promise.resolve({ backend: new FakeVmBackend({ images: ['macos-15-base'], bootMs: 5 }), image: 'macos-15-base', host, bootDeadlineMs: 1_000, cleanup: () => Promise.resolve() }),
  },
  {
    name: 'tart (fake tart CLI)',
    create: () => {
      const home = mkdtempSync(join(tmpdir(), 'portfarm-tart-'));
      mkdirSync(join(home, 'vms'));
      writeFileSync(join(home, 'vms', 'macos-15-base.json'), JSON.stringify({ running: false, pid: null, bootedAt: null, ip: 9, accessed: '2026-01-01T00:00:00Z' }));
      const backend = new TartVmBackend({ tartPath: FAKE_TART, env: tartEnv(home, 30), pollMs: 20 });
      return Promise.resolve({ backend, image: 'macos-15-base', host, bootDeadlineMs: 5_000, cleanup: () => {
          rmSync(home, { recursive: true, force: true });
          return Promise.resolve();
        },
      });
    },
  },
  {
    name: 'libvirt (real qemu-img, virsh and ssh doubles)',
    create: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portfarm-libvirt-'));
      await createQcow2Base(join(dir, 'macos-15-base.qcow2'));
      const backend = new LibvirtVmBackend({ imagesDir: dir, poolDir: dir, run: createVirshDouble().run, pollMs: 10 });
      return {
        backend,
        image: 'macos-15-base',
        host,
        bootDeadlineMs: 5_000,
        cleanup: () => {
          rmSync(dir, { recursive: true, force: true });
          return Promise.resolve();
        },
      };
    },
  },
  {
    name: 'orchard (REST API double)',
    capabilities: { exec: false, stoppedClone: false },
    create: async () => {
      const serviceAccount = { name: 'portfarm', token: 'contract-token' };
      const double = await startOrchardDouble({ images: ['macos-15-base'], workers: [{ name: 'mini-1', labels: { 'portfarm-host': 'mini-1' } }], serviceAccount });
      const backend = new OrchardVmBackend({ url: double.url, serviceAccountName: serviceAccount.name, serviceAccountToken: serviceAccount.token, pollMs: 5 });
      return { backend, image: 'macos-15-base', host, bootDeadlineMs: 5_000, cleanup: () => double.close(), runningStartupCommands: () => double.runningScripts() };
    },
  },
];

for (const implementation of implementations) runVmBackendContract(implementation);
