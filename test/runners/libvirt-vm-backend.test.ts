import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { LibvirtVmBackend } from '../../controller/runners/backends/libvirt-vm-backend.ts';
import { createQcow2Base } from './qcow2-base.ts';
import { createVirshDouble } from './virsh-double.ts';

const host = { name: 'xserve-1', address: '127.0.0.1' };

test('libvirt: a real qcow2 overlay on the base image, the exact virsh command lines, and nothing left after destroy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-qcow2-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const base = join(dir, 'macos-10.15-base.qcow2');
  await createQcow2Base(base);
  const { run, calls } = createVirshDouble();
  const backend = new LibvirtVmBackend({ imagesDir: dir, poolDir: dir, run, pollMs: 10 });
  const vmId = 'portfarm-q1-1-abcd';
  const overlay = join(dir, `${vmId}.qcow2`);
  const signal = AbortSignal.timeout(20_000);

  await backend.clone({ vmId, image: 'macos-10.15-base', host }, signal);
  const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', overlay])).stdout) as Record<string, unknown>;
  assert.deepEqual([info['format'], info['backing-filename'], info['backing-filename-format'], info['virtual-size']], ['qcow2', base, 'qcow2', 64 * 1024 * 1024]);
  assert.match(readFileSync(join(dir, `${vmId}.xml`), 'utf8'), new RegExp(`<source file="${overlay}"/>`));

  await backend.start(vmId, signal);
  await backend.destroy(vmId, signal);
  assert.equal(existsSync(overlay), false);
  assert.equal(existsSync(join(dir, `${vmId}.xml`)), false);
  assert.equal(existsSync(base), true, 'the base image is never touched');
  assert.deepEqual(calls, [
    `qemu-img create -q -f qcow2 -b ${base} -F qcow2 ${overlay}`,
    `virsh -c qemu:///system define ${join(dir, `${vmId}.xml`)}`,
    `virsh -c qemu:///system start ${vmId}`,
    `virsh -c qemu:///system destroy ${vmId}`,
    `virsh -c qemu:///system undefine ${vmId} --nvram`,
  ]);
});

test('libvirt: an overlay left without a domain (crash between create and define) is listed and removed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-qcow2-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const base = join(dir, 'base.qcow2');
  await createQcow2Base(base);
  const leftover = join(dir, 'portfarm-crash-1-wxyz.qcow2');
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', leftover]);
  const backend = new LibvirtVmBackend({ imagesDir: dir, poolDir: dir, run: createVirshDouble().run });
  const signal = AbortSignal.timeout(20_000);
  assert.deepEqual(await backend.list(host, signal), [{ vmId: 'portfarm-crash-1-wxyz', host: 'xserve-1', state: 'stopped', image: null }]);
  await backend.destroy('portfarm-crash-1-wxyz', signal);
  assert.equal(existsSync(leftover), false);
  assert.deepEqual(await backend.list(host, signal), []);
});
