import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLocalHostShell, type HostShell } from '../../controller/images/host-shell.ts';
import { imageName } from '../../controller/images/image-registry.ts';
import { libvirtBasePath, planSeal } from '../../controller/images/plan-seal.ts';
import { runHostSteps } from '../../controller/images/run-host-steps.ts';
import { requireTestPart } from '../setup/require-test-part.ts';

// Real qemu-img/qemu-io (Debian qemu-utils); only virsh is a double: it answers for one powered-off domain.
const qemuImgPath = requireTestPart('qemu-img');
const qemuIoPath = requireTestPart('qemu-io');
const dir = mkdtempSync(join(tmpdir(), 'portfarm-qcow2-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const host = { name: 'xserve-1', address: '127.0.0.1' };
const signal = new AbortController().signal;

function qemuImg(...args: string[]): string {
  return execFileSync(qemuImgPath, args, { encoding: 'utf8' });
}
function qemuIo(file: string, command: string): string {
  return execFileSync(qemuIoPath, ['-f', 'qcow2', '-c', command, file], { encoding: 'utf8' });
}
function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function fakeVirsh(prepDisk: string): string {
  const bin = join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  const script = [
    '#!/bin/sh',
    `echo "virsh $*" >> ${join(dir, 'virsh.log')}`,
    'case "$3" in',
    '  domstate) echo "shut off" ;;',
    `  domblklist) printf ' Type   Device   Target   Source\\n------------------------------------\\n file   disk     vda      %s\\n file   cdrom    sda      -\\n' '${prepDisk}' ;;`,
    '  *) echo "unexpected virsh call: $*" >&2; exit 1 ;;',
    'esac',
  ].join('\n');
  writeFileSync(join(bin, 'virsh'), `${script}\n`);
  chmodSync(join(bin, 'virsh'), 0o755);
  return bin;
}

function recording(shell: HostShell, log: string[]): HostShell {
  return { run: (h, argv, s) => (log.push(argv.at(-1) ?? ''), shell.run(h, argv, s)) };
}

test('libvirt: sealing flattens the prepared disk into a read-only base; a build overlay writes never touch it', async (t) => {
  // The macOS install (a vanilla disk) and the VM the recipe ran in (an overlay on it).
  const vanilla = join(dir, 'vanilla.qcow2');
  const prep = join(dir, 'imageprep-10.15_x86_64-v1.qcow2');
  qemuImg('create', '-q', '-f', 'qcow2', vanilla, '64M');
  qemuIo(vanilla, 'write -P 0x11 0 64k');
  qemuImg('create', '-q', '-f', 'qcow2', '-b', vanilla, '-F', 'qcow2', prep);
  qemuIo(prep, 'write -P 0x22 64k 64k');

  const bin = fakeVirsh(prep);
  const shell = createLocalHostShell({ PATH: `${bin}:/usr/bin:/bin` });
  const steps = planSeal({ backend: 'libvirt', vmId: 'imageprep-10.15_x86_64-v1', imageName: imageName('10.15_x86_64', 1), imagesDir: join(dir, 'images'), libvirtUri: 'qemu:///system' });
  const log: string[] = [];
  const outcomes: string[] = [];
  await runHostSteps(recording(shell, log), host, steps, signal, (s, o) => outcomes.push(`${s.id} ${o}`));
  assert.deepEqual(outcomes, ['stop-vm skipped', 'seal-qcow2 applied']);
  assert.deepEqual(log, [steps[0]?.check, steps[1]?.check, steps[1]?.apply, steps[1]?.check]);

  const base = libvirtBasePath(join(dir, 'images'), '10.15_x86_64-base@v1');
  assert.equal(statSync(base).mode & 0o777, 0o444);
  const info = JSON.parse(qemuImg('info', '--output=json', base)) as Record<string, unknown>;
  assert.equal(info['format'], 'qcow2');
  assert.equal(info['backing-filename'], undefined, 'the base stands alone: no backing file');
  assert.match(qemuIo(base, 'read -P 0x11 0 64k'), /read 65536\/65536 bytes/);
  assert.match(qemuIo(base, 'read -P 0x22 64k 64k'), /read 65536\/65536 bytes/);

  // A build VM: a copy-on-write overlay on the base, as the libvirt backend clones it.
  const before = sha256(base);
  const overlay = join(dir, 'portfarm-b1-1-abcd.qcow2');
  const started = process.hrtime.bigint();
  qemuImg('create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', overlay);
  t.diagnostic(`overlay create: ${Number(process.hrtime.bigint() - started) / 1e6} ms`);
  qemuIo(overlay, 'write -P 0xab 0 64k');
  qemuIo(overlay, 'write -P 0xcd 1M 1M');
  assert.match(qemuIo(overlay, 'read -P 0xab 0 64k'), /read 65536\/65536 bytes/);
  assert.match(qemuIo(overlay, 'read -P 0x22 64k 64k'), /read 65536\/65536 bytes/, 'unwritten clusters come from the base');
  assert.equal(sha256(base), before, 'the base is byte-for-byte unchanged');
  assert.match(qemuIo(base, 'read -P 0x11 0 64k'), /read 65536\/65536 bytes/);

  // Rerun: the seal is done, nothing is rewritten.
  log.length = 0;
  outcomes.length = 0;
  await runHostSteps(recording(shell, log), host, steps, signal, (s, o) => outcomes.push(`${s.id} ${o}`));
  assert.deepEqual(outcomes, ['stop-vm skipped', 'seal-qcow2 skipped']);
  assert.deepEqual(log, [steps[0]?.check, steps[1]?.check]);
  assert.equal(sha256(base), before);
});

test('tart: sealing stops the VM and clones it to the versioned name; the exact host script', () => {
  const steps = planSeal({ backend: 'tart', vmId: 'imageprep-15_arm64-v3', imageName: imageName('15_arm64', 3), imagesDir: '/unused', libvirtUri: 'qemu:///system' });
  assert.deepEqual(steps.map((s) => [s.check, s.apply]), [
    ['tart get 15_arm64-base@v3 >/dev/null 2>&1', 'tart stop imageprep-15_arm64-v3\ntart clone imageprep-15_arm64-v3 15_arm64-base@v3'],
  ]);
});
