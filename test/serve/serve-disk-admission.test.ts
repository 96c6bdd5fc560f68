import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostDiskProbe } from '../../controller/caches/disk-admission-service.ts';
import { statusSnapshotSchema, type StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { formatStatusText } from '../../controller/tui/format-status-text.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { PLATFORM, startServeHarness, type ServeHarness, WITH_STATUS_TOKEN } from './serve-harness.ts';

const GIB = 1024 ** 3;

async function status(h: ServeHarness): Promise<StatusSnapshot> {
  return statusSnapshotSchema.parse(await (await fetch(`${h.controller.url}/api/status`, WITH_STATUS_TOKEN)).json());
}

function hostOf(h: ServeHarness, buildId: string): string | undefined {
  return h.controller.runners.hostsStatus().find((host) => host.slots.some((s) => s.buildId === buildId))?.name;
}

test('serve: a host short of disk takes no VMs and says why (status, TUI, log, metric) until space comes back', async () => {
  const free = new Map([['mini-1', 200 * GIB], ['mini-2', 200 * GIB]]);
  const probe: HostDiskProbe = (host) =>
    Promise.resolve({ totalBytes: 500 * GIB, freeBytes: free.get(host.name) ?? 0, usage: { clones: 30 * GIB, overlays: 0, caches: 12 * GIB, images: 0 } });
  const h = await startServeHarness({
    configure: (config) => ({ ...config, caches: { ...config.caches, disk: { vmBudgetGiB: 60, reserveGiB: 20, checkSeconds: 3600 } } }),
    options: { diskProbe: probe },
  });
  try {
    free.set('mini-1', 70 * GIB);
    await h.controller.runUpkeep();
    const reason =
      'disk short: 70.0 GiB free; 0.0 GiB promised to 0 running VM(s) and the 20.0 GiB reserve leave 50.0 GiB, a new VM needs 60.0 GiB ' +
      '(portfarm holds clones 30.0, overlays 0.0, caches 12.0, images 0.0 GiB); delete unused image versions (GC), sweep the quarantine or free disk';
    const short = await status(h);
    assert.deepEqual(short.hosts.map((x) => [x.name, x.diskFreeGiB, x.refusing]), [['mini-1', 70, reason], ['mini-2', 200, null]]);
    assert.deepEqual(short.alerts, [`host mini-1 takes no VMs: ${reason}`]);
    assert.ok(formatStatusText(short, h.controller.url, Date.now()).includes(`! takes no VMs: ${reason.slice(0, 80)}`), 'the hosts pane says why');
    assert.deepEqual(
      h.logs.filter((l) => l.msg.startsWith('host takes')).map((l) => [l.msg, l['host'], l['reason']]),
      [['host takes no new VMs: disk short', 'mini-1', reason]],
    );
    const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
    assert.match(metrics, /^portfarm_host_refusing_vms\{host="mini-1"\} 1$/m);
    assert.match(metrics, /^portfarm_host_refusing_vms\{host="mini-2"\} 0$/m);
    assert.match(metrics, /^portfarm_host_disk_usage_bytes\{host="mini-1",kind="caches"\} 12884901888$/m);

    // Only mini-2's two slots take VMs now.
    for (const id of ['disk1', 'disk2']) assert.ok(h.controller.runners.warmStart(PLATFORM.name, id));
    assert.equal(h.controller.runners.warmStart(PLATFORM.name, 'disk3'), false, 'mini-1 refuses, mini-2 is full');
    await waitFor(() => h.controller.runners.vmImages().length === 2, 'two VMs cloned');
    assert.deepEqual(['disk1', 'disk2'].map((id) => hostOf(h, id)), ['mini-2', 'mini-2']);

    // Space comes back: mini-1 takes VMs again.
    free.set('mini-1', 300 * GIB);
    await h.controller.runUpkeep();
    const back = await status(h);
    assert.equal(back.hosts[0]?.refusing, null);
    assert.deepEqual(back.alerts, []);
    assert.ok(h.logs.some((l) => l.msg === 'host takes VMs again: disk space is back' && l['host'] === 'mini-1'));
    assert.match(await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text(), /^portfarm_host_refusing_vms\{host="mini-1"\} 0$/m);
    assert.ok(h.controller.runners.warmStart(PLATFORM.name, 'disk3'));
    assert.equal(hostOf(h, 'disk3'), 'mini-1');

    // Running VMs are promised their budget: with two VMs on mini-2, 150 GiB free is not enough for a third.
    free.set('mini-2', 150 * GIB);
    await h.controller.runUpkeep();
    assert.match((await status(h)).hosts[1]?.refusing ?? '', /^disk short: 150\.0 GiB free; 120\.0 GiB promised to 2 running VM\(s\)/);
  } finally {
    await h.close();
  }
});

test('serve: a disk check that fails keeps the host\'s last admission and logs once', async () => {
  let fail = false;
  const probe: HostDiskProbe = (host) =>
    fail ? Promise.reject(new Error(`ssh: connect to host ${host.address} port 22: Connection refused`)) : Promise.resolve({ totalBytes: 100 * GIB, freeBytes: 10 * GIB, usage: { clones: 0, overlays: 0, caches: 0, images: 0 } });
  const h = await startServeHarness({ options: { diskProbe: probe } });
  try {
    await h.controller.runUpkeep();
    assert.equal((await status(h)).hosts.filter((x) => x.refusing !== null).length, 2);
    fail = true;
    await h.controller.runUpkeep();
    await h.controller.runUpkeep();
    assert.equal((await status(h)).hosts.filter((x) => x.refusing !== null).length, 2, 'still refusing: the last measurement stands');
    assert.equal(h.logs.filter((l) => l.msg.startsWith('disk check failed')).length, 2, 'one line per host, not per pass');
  } finally {
    await h.close();
  }
});
