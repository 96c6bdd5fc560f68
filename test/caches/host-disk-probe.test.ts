import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHostDiskProbe } from '../../controller/caches/create-host-disk-probe.ts';
import { createLocalHostShell, type HostShell } from '../../controller/images/host-shell.ts';

const signal = new AbortController().signal;

test('tart hosts are measured over ssh in ~/.tart; libvirt pools on this machine; fake and Orchard hosts not at all', async () => {
  const remote: string[] = [];
  const ssh: HostShell = {
    run(host, argv) {
      remote.push(`${host.name}: ${argv.join(' ')}`);
      const stdout = argv[0] === 'df' ? 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/disk3s5 976490576 600000000 300000000 67% /System/Volumes/Data\n' : '41943040\t.tart/vms\n1048576\t.tart/cache\n';
      return Promise.resolve({ exitCode: 0, stdout, stderr: '' });
    },
  };
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-probe-'));
  try {
    mkdirSync(join(dir, 'vms'));
    writeFileSync(join(dir, 'vms', 'overlay.qcow2'), Buffer.alloc(64 * 1024));
    const backends: Record<string, ('tart' | 'libvirt' | 'fake' | 'orchard')[]> = { 'mini-1': ['tart'], xserve: ['libvirt'], demo: ['fake'], cloud: ['orchard'] };
    const probe = createHostDiskProbe(ssh, createLocalHostShell(), { backendsOf: (h) => backends[h] ?? [], libvirtPoolDir: join(dir, 'vms'), libvirtImagesDir: join(dir, 'images') });
    assert.deepEqual(await probe({ name: 'mini-1', address: '10.0.0.21' }, signal), {
      totalBytes: 976490576 * 1024,
      freeBytes: 300000000 * 1024,
      usage: { clones: 41943040 * 1024, overlays: 0, caches: 1048576 * 1024, images: 0 },
    });
    assert.deepEqual(remote, ['mini-1: df -Pk .tart', 'mini-1: /bin/sh -c du -sk .tart/vms 2>/dev/null || echo "0 .tart/vms"\ndu -sk .tart/cache 2>/dev/null || echo "0 .tart/cache"']);
    const local = await probe({ name: 'xserve', address: '10.0.0.31' }, signal);
    assert.ok(local !== null && local.freeBytes > 0 && local.usage.overlays >= 64 * 1024 && local.usage.images === 0, JSON.stringify(local));
    assert.equal(await probe({ name: 'demo', address: '127.0.0.1' }, signal), null);
    assert.equal(await probe({ name: 'cloud', address: '127.0.0.1' }, signal), null);
    assert.equal(remote.length, 2, 'libvirt, fake and Orchard hosts are not reached over ssh');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
