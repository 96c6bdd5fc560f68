import { test } from 'node:test';
import { expectFrame } from './expect-frame.ts';
import { renderDashboard } from './render-dashboard.ts';
import { busyFarm, emptyFarm, longNames, twentyHosts } from './status-fixtures.ts';

const TITLE = 'portfarm  macports/macports-ports  http://127.0.0.1:8080                    live';
const KEYS = '? help  / filter  tab pane  ↑↓ select  enter details  q quit';
const keys = (position: string): string => `${KEYS}${position.padStart(80 - KEYS.length)}`;

test('hosts pane: each VM slot in words, free disk, a host refusing VMs marked', async () => {
  const ui = await renderDashboard(busyFarm());
  expectFrame(
    ui.frame(),
    [
      TITLE,
      '[Hosts 3 !1]  Runners 4 !2   Queues 2   Failures 2   Alerts 1',
      '  HOST              DISK FREE SLOT',
      '> mac-mini-1        212 GiB   0 running py313-numpy (15_arm64) for 12m',
      '  15_arm64                    1 cloning VM (15_arm64) for 42s',
      '  mac-mini-2        38 GiB    0 runner online (15_arm64) for 3m',
      '  15_arm64                    1 empty',
      '                              ! takes no VMs: disk free 38 GiB < 50 GiB',
      '  mac-pro-1         ?         0 booting VM (14_x86_64) for 20s',
      '  14_x86_64                   1 tearing down (14_x86_64) for 8s',
    ],
    keys('hosts 1/3'),
  );
  ui.unmount();
});

test('runners pane: age, job, and suspicious runners marked with what is wrong', async () => {
  const ui = await renderDashboard(busyFarm());
  expectFrame(
    await ui.press('\t'),
    [
      TITLE,
      ' Hosts 3 !1  [Runners 4 !2]  Queues 2   Failures 2   Alerts 1',
      '  RUNNER                    AGE    JOB               STATE',
      '> portfarm-b-1041           13m    py313-numpy       busy',
      '  portfarm-b-1039           3m     b-1039            ! online, no job > 2m',
      '  portfarm-b-1043           25s    b-1043            online, idle',
      '  portfarm-b-1030           1h00m  b-1030            ! registration without VM',
    ],
    keys('runners 1/4'),
  );
  ui.unmount();
});

test('queues pane: running runs of the lanes, exact pending counts, oldest wait, next 5 in order, blocked builders by failed port', async () => {
  const ui = await renderDashboard(busyFarm());
  expectFrame(
    await ui.press('3'),
    [
      TITLE,
      ' Hosts 3 !1   Runners 4 !2  [Queues 2]  Failures 2   Alerts 1',
      '  PLATFORM      RUNNING                       WATCH BUILD    PR  OLDEST WAIT',
      '> 15_arm64      py313-numpy +1 2/2                1    42     3  2h05m',
      '    next: 1.watcher @9f8e7d6 2.py313-scipy 3.py313-pandas 4.PR libfoo 5.gdal',
      '    blocked 312: qt6-qtbase 309, mlx 3',
      '  14_x86_64     watcher @9f8e7d6 (dispatched)     0     0     0  -',
      '    next: nothing pending',
    ],
    keys('queues 1/2'),
  );
  ui.unmount();
});

test('failures pane: port, platform, phase, age and the log URL cut in the middle', async () => {
  const ui = await renderDashboard(busyFarm());
  expectFrame(
    await ui.press('4'),
    [
      TITLE,
      ' Hosts 3 !1   Runners 4 !2   Queues 2  [Failures 2]  Alerts 1',
      '  PORT                      PLATFORM      PHASE               AGE',
      '> rust                      15_arm64      install-port        3h05m ago',
      '    https://build.macports.org/builders/p…ds/32503/steps/install-port/logs/stdio',
      '  watcher                   14_x86_64     list-subports       1d02h ago',
      '    no log URL',
    ],
    keys('failures 1/2'),
  );
  ui.unmount();
});

test('alerts pane: one line per alert', async () => {
  const ui = await renderDashboard(busyFarm());
  expectFrame(
    await ui.press('5'),
    [
      TITLE,
      ' Hosts 3 !1   Runners 4 !2   Queues 2   Failures 2  [Alerts 1]',
      '> ! image macos-14-base@3 has runner 2.319.1, older than the 30-day limit; rebu…',
    ],
    keys('alerts 1/1'),
  );
  ui.unmount();
});

test('an empty farm says so in every pane instead of showing nothing', async () => {
  const ui = await renderDashboard(emptyFarm());
  const tabs = (focus: number): string =>
    ['Hosts 0', 'Runners 0', 'Queues 0', 'Failures 0', 'Alerts 0'].map((t, i) => (i === focus ? `[${t}]` : ` ${t} `))
      .join(' ')
      .trimEnd();
  expectFrame(ui.frame(), [TITLE, tabs(0), '  HOST              DISK FREE SLOT', '  no hosts (the config lists none under platforms[].hosts)'], KEYS);
  expectFrame(await ui.press('\t'), [TITLE, tabs(1), '  RUNNER                    AGE    JOB               STATE', '  no runners registered'], KEYS);
  expectFrame(
    await ui.press('\t'),
    [TITLE, tabs(2), '  PLATFORM      RUNNING                       WATCH BUILD    PR  OLDEST WAIT', '  no platform queues'],
    KEYS,
  );
  expectFrame(await ui.press('\t'), [TITLE, tabs(3), '  PORT                      PLATFORM      PHASE               AGE', '  no recent failures'], KEYS);
  expectFrame(await ui.press('\t'), [TITLE, tabs(4), '  no alerts'], KEYS);
  ui.unmount();
});

test('20 hosts in 80×24: the first 9½ hosts fit; moving down scrolls whole hosts into view', async () => {
  const ui = await renderDashboard(twentyHosts());
  const row = (i: number): string[] => {
    const platform = i % 2 === 0 ? '15_arm64' : '14_x86_64';
    return [
      `  mac-${String(i + 1).padStart(2, '0')}            ${100 + i} GiB   0 running port-${i * 2} (${platform}) for ${i * 2 === 0 ? '0s' : `${i * 2}m`}`,
      `  ${platform.padEnd(28)}1 running port-${i * 2 + 1} (${platform}) for ${i * 2 + 1}m`,
    ];
  };
  const tabs = '[Hosts 20]  Runners 4 !2   Queues 2   Failures 2   Alerts 1';
  const header = '  HOST              DISK FREE SLOT';
  const select = (lines: string[]): string[] => lines.map((l, i) => (i === 0 ? `>${l.slice(1)}` : l));
  const first = Array.from({ length: 10 }, (_, i) => row(i)).flat();
  expectFrame(ui.frame(), [TITLE, tabs, header, ...select(row(0)), ...first.slice(2, 19)], keys('hosts 1/20'));
  for (let i = 0; i < 19; i += 1) await ui.press('j');
  const last = Array.from({ length: 8 }, (_, i) => row(i + 11)).flat();
  expectFrame(ui.frame(), [TITLE, tabs, header, ...last, ...select(row(19))], keys('hosts 20/20'));
  ui.unmount();
});

test('long names are cut with … and never push the columns', async () => {
  const ui = await renderDashboard(longNames());
  expectFrame(
    ui.frame(),
    [
      TITLE,
      '[Hosts 1]  Runners 4 !2   Queues 2   Failures 2   Alerts 1',
      '  HOST              DISK FREE SLOT',
      '> mac-studio-in-th… 212 GiB   0 running py313-jupyterlab-server-extension-with-…',
      '  15_arm64                    1 cloning VM (15_arm64) for 42s',
    ],
    keys('hosts 1/1'),
  );
  expectFrame(
    await ui.press('\t'),
    [
      TITLE,
      ' Hosts 1  [Runners 4 !2]  Queues 2   Failures 2   Alerts 1',
      '  RUNNER                    AGE    JOB               STATE',
      '> portfarm-b-1041-with-an-… 13m    py313-jupyterlab… busy',
      '  portfarm-b-1039-with-an-… 3m     b-1039            ! online, no job > 2m',
      '  portfarm-b-1043-with-an-… 25s    b-1043            online, idle',
      '  portfarm-b-1030-with-an-… 1h00m  b-1030            ! registration without VM',
    ],
    keys('runners 1/4'),
  );
  ui.unmount();
});

test('queues pane: when the controller sends estimates, the running run and the next ones show when they are expected done (UTC), ~? when unknown', async () => {
  const farm = busyFarm();
  const range = (mid: string) => ({ low: mid, mid, high: mid });
  const [arm, intel] = farm.queues;
  if (arm === undefined || intel === undefined || arm.running === null) throw new Error('fixture changed: busyFarm has two queues, 15_arm64 running');
  const withEta = {
    ...farm,
    queues: [
      { ...arm, running: { ...arm.running, ready: range('2026-12-03T14:20:00+01:00') }, next: arm.next.map((e, i) => ({ ...e, ready: i === 1 ? null : range(`2026-12-03T1${String(4 + i)}:0${String(i)}:00Z`) })) },
      intel,
    ],
  };
  const ui = await renderDashboard(withEta);
  expectFrame(
    await ui.press('3'),
    [
      TITLE,
      ' Hosts 3 !1   Runners 4 !2  [Queues 2]  Failures 2   Alerts 1',
      '  PLATFORM      RUNNING                       WATCH BUILD    PR  OLDEST WAIT',
      '> 15_arm64      py313-numpy +1 2/2 ~13:20         1    42     3  2h05m',
      '    next: 1.watcher @9f8e7d6 ~14:00 2.py313-scipy ~? 3.py313-pandas ~16:02 4.PR…',
      '    blocked 312: qt6-qtbase 309, mlx 3',
      '  14_x86_64     watcher @9f8e7d6 (dispatched)     0     0     0  -',
      '    next: nothing pending',
    ],
    keys('queues 1/2'),
  );
  ui.unmount();
});
