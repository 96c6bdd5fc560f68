import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decideHostAdmission, hostDiskAlerts, type HostDiskReport } from '../../controller/caches/decide-host-admission.ts';
import { measureHostDisk, parseDf } from '../../controller/caches/measure-host-disk.ts';
import { createLocalHostShell } from '../../controller/images/host-shell.ts';

const GIB = 1024 ** 3;
const policy = { vmBudgetGiB: 30, reserveGiB: 20 };
const report: HostDiskReport = {
  host: 'mac-mini-1',
  totalBytes: 500 * GIB,
  freeBytes: 120 * GIB,
  usage: { clones: 12.5 * GIB, overlays: 0, caches: 40 * GIB, images: 61 * GIB },
  runningVms: [{ vmId: 'portfarm-b1-1-aaaa', writtenBytes: 10 * GIB }],
};

test('a host with room for a whole VM budget after promises and reserve takes VMs', () => {
  assert.deepEqual(decideHostAdmission(report, policy), { host: 'mac-mini-1', diskFreeGiB: 120, headroomGiB: 80, refusing: null });
});

test('a host short of disk refuses new VMs and says why; the alert names the host', () => {
  const short = { ...report, freeBytes: 60 * GIB, runningVms: [...report.runningVms, { vmId: 'portfarm-b2-1-bbbb', writtenBytes: 0 }] };
  const admission = decideHostAdmission(short, policy);
  assert.equal(admission.headroomGiB, -10);
  assert.equal(
    admission.refusing,
    'disk short: 60.0 GiB free; 50.0 GiB promised to 2 running VM(s) and the 20.0 GiB reserve leave -10.0 GiB, a new VM needs 30.0 GiB ' +
      '(portfarm holds clones 12.5, overlays 0.0, caches 40.0, images 61.0 GiB); delete unused image versions (GC), sweep the quarantine or free disk',
  );
  assert.deepEqual(hostDiskAlerts([decideHostAdmission(report, policy), admission]), [`host mac-mini-1 takes no VMs: ${admission.refusing}`]);
  // A VM that has written past its budget is promised nothing more; exactly one budget of headroom admits.
  const edge = { ...report, freeBytes: 50 * GIB, runningVms: [{ vmId: 'portfarm-b3-1-cccc', writtenBytes: 45 * GIB }] };
  assert.equal(decideHostAdmission(edge, policy).refusing, null);
  assert.notEqual(decideHostAdmission({ ...edge, freeBytes: 50 * GIB - 1 }, policy).refusing, null);
});

const dir = mkdtempSync(join(tmpdir(), 'portfarm-disk-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('df and du are measured for real on the host (POSIX df format)', async () => {
  assert.deepEqual(parseDf('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/disk3s5 482797652 301318372 158032484 66% /System/Volumes/Data\n'), {
    totalBytes: 482797652 * 1024,
    freeBytes: 158032484 * 1024,
  });
  mkdirSync(join(dir, 'caches'));
  writeFileSync(join(dir, 'caches', 'blob'), Buffer.alloc(256 * 1024, 1));
  const measured = await measureHostDisk(createLocalHostShell({ PATH: '/usr/bin:/bin' }), { name: 'local', address: '127.0.0.1' }, { root: dir, folders: [join(dir, 'caches'), join(dir, 'missing')] }, new AbortController().signal);
  assert.ok(measured.freeBytes > 0 && measured.freeBytes <= measured.totalBytes);
  assert.ok((measured.folders.get(join(dir, 'caches')) ?? 0) >= 256 * 1024);
  assert.equal(measured.folders.get(join(dir, 'missing')), 0);
});
