import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectFrame } from './expect-frame.ts';
import { renderDashboard } from './render-dashboard.ts';
import { busyFarm } from './status-fixtures.ts';

const TITLE = 'portfarm  macports/macports-ports  http://127.0.0.1:8080                    live';
const TABS = [
  '[Hosts 3 !1]  Runners 4 !2   Queues 2   Failures 2   Alerts 1',
  ' Hosts 3 !1  [Runners 4 !2]  Queues 2   Failures 2   Alerts 1',
  ' Hosts 3 !1   Runners 4 !2  [Queues 2]  Failures 2   Alerts 1',
  ' Hosts 3 !1   Runners 4 !2   Queues 2  [Failures 2]  Alerts 1',
  ' Hosts 3 !1   Runners 4 !2   Queues 2   Failures 2  [Alerts 1]',
];
const tabsOf = (frame: string): string => frame.split('\n')[1] ?? '';

test('tab, shift-tab and the arrows move between panes, wrapping around', async () => {
  const ui = await renderDashboard(busyFarm());
  assert.equal(tabsOf(await ui.press('\t')), TABS[1]);
  assert.equal(tabsOf(await ui.press('\u001b[C')), TABS[2]); // →
  assert.equal(tabsOf(await ui.press('\u001b[D')), TABS[1]); // ←
  assert.equal(tabsOf(await ui.press('\u001b[Z')), TABS[0]); // shift-tab
  assert.equal(tabsOf(await ui.press('\u001b[Z')), TABS[4]);
  assert.equal(tabsOf(await ui.press('\t')), TABS[0]);
  ui.unmount();
});

test('? shows the key help and ? again closes it', async () => {
  const ui = await renderDashboard(busyFarm());
  expectFrame(
    await ui.press('?'),
    [
      TITLE,
      TABS[0] ?? '',
      '  Keys',
      '  tab  → / ←    next / previous pane (or 1-5)',
      '  ↑ ↓  j k      select a row (pgup/pgdn: 10 rows)',
      '  enter         details of the selected row (esc: back)',
      "                in a queue's details: ↑↓ a port, enter its estimate",
      '  /             filter by platform or port (enter: keep, esc: clear)',
      '  esc           close details or help, clear the filter',
      '  ?             this help',
      '  q  ctrl-c     quit',
      '',
      '  Data refreshes live (event stream) or every 2 s (polling).',
    ],
    '? or esc: close help  q quit',
  );
  const closed = await ui.press('?');
  assert.match(closed, /^> mac-mini-1 /m);
  ui.unmount();
});

test('↓ then enter shows everything about the selected host; esc goes back to the list', async () => {
  const ui = await renderDashboard(busyFarm());
  await ui.press('\u001b[B');
  expectFrame(
    await ui.press('\r'),
    [
      TITLE,
      TABS[0] ?? '',
      '  host            mac-mini-2',
      '  address         10.0.0.22',
      '  platforms       15_arm64',
      '  VM slots        2 of at most 2',
      '  disk free       38 GiB',
      '  takes VMs       no: disk free 38 GiB < 50 GiB',
      '  slot 0          runner online (15_arm64) for 3m',
      '    VM            pf-15-b1 from image macos-15-base@7',
      '    build         b-1039',
      '  slot 1          empty',
      '  esc or enter: back',
    ],
    'esc back  tab pane  ? help  q quit',
  );
  const back = await ui.press('\u001b');
  assert.match(back, /^> mac-mini-2 /m);
  ui.unmount();
});

test('enter on a failure shows its whole log URL, wrapped rather than cut', async () => {
  const ui = await renderDashboard(busyFarm());
  await ui.press('4');
  expectFrame(
    await ui.press('\r'),
    [
      TITLE,
      TABS[3] ?? '',
      '  port            rust',
      '  platform        15_arm64',
      '  phase           install-port',
      '  finished        2026-11-26T02:55:00.000Z (3h05m ago)',
      '  build           b-1036',
      '  log             https://build.macports.org/builders/ports-15_arm64-builder/bui',
      '                  lds/32503/steps/install-port/logs/stdio',
      '  esc or enter: back',
    ],
    'esc back  tab pane  ? help  q quit',
  );
  ui.unmount();
});

test('enter on a runner explains why it is suspicious', async () => {
  const ui = await renderDashboard(busyFarm());
  await ui.press('2');
  await ui.press('j');
  const frame = await ui.press('\r');
  assert.deepEqual(frame.split('\n').slice(2, 6), [
    '  runner          portfarm-b-1039 (id 502)',
    '  status          online, no job',
    '  suspicious      online, no job > 2m',
    '  registered      2026-11-26T05:56:50.000Z (3m ago)',
  ]);
  ui.unmount();
});

test('/ filters every pane by platform or port as you type; enter keeps it, esc clears it', async () => {
  const ui = await renderDashboard(busyFarm());
  await ui.press('/');
  await ui.press('1');
  expectFrame(
    await ui.press('4'),
    [
      TITLE,
      '[Hosts 1]  Runners 2 !1   Queues 1   Failures 1   Alerts 1',
      '  HOST              DISK FREE SLOT',
      '> mac-pro-1         ?         0 booting VM (14_x86_64) for 20s',
      '  14_x86_64                   1 tearing down (14_x86_64) for 8s',
    ],
    'filter: 14_  enter keep  esc clear                                     hosts 1/1',
  );
  await ui.press('\r');
  expectFrame(
    await ui.press('2'),
    [
      TITLE,
      ' Hosts 1  [Runners 2 !1]  Queues 1   Failures 1   Alerts 1',
      '  RUNNER                    AGE    JOB               STATE',
      '> portfarm-b-1043           25s    b-1043            online, idle',
      '  portfarm-b-1030           1h00m  b-1030            ! registration without VM',
    ],
    'filter "14"  esc clear  ? help  q quit                               runners 1/2',
  );
  const cleared = await ui.press('\u001b');
  assert.equal(tabsOf(cleared), TABS[1]);
  ui.unmount();
});

test('a filter by port finds its host, and a filter matching nothing says so', async () => {
  const ui = await renderDashboard(busyFarm());
  await ui.press('/');
  for (const c of 'numpy') await ui.press(c);
  assert.deepEqual((await ui.press('\r')).split('\n').slice(1, 4), [
    '[Hosts 1]  Runners 1   Queues 1   Failures 0   Alerts 0',
    '  HOST              DISK FREE SLOT',
    '> mac-mini-1        212 GiB   0 running py313-numpy (15_arm64) for 12m',
  ]);
  await ui.press('/');
  for (let i = 0; i < 5; i += 1) await ui.press('\u007f'); // backspace
  await ui.press('z');
  expectFrame(
    await ui.press('\r'),
    [TITLE, '[Hosts 0]  Runners 0   Queues 0   Failures 0   Alerts 0', '  HOST              DISK FREE SLOT', '  nothing matches the filter "z" (esc clears it)'],
    'filter "z"  esc clear  ? help  q quit',
  );
  ui.unmount();
});

test('q quits; a q typed into the filter is text, not quit', async () => {
  const ui = await renderDashboard(busyFarm());
  await ui.press('/');
  await ui.press('q');
  assert.equal(ui.exited(), false);
  assert.match(ui.frame(), /^filter: q_ /m);
  await ui.press('\u001b');
  await ui.press('q');
  assert.equal(ui.exited(), true);
});

test('keys that arrive in one read (fast typing over SSH, a paste) count one by one', async () => {
  const ui = await renderDashboard(busyFarm());
  const frame = await ui.press('2j\r');
  assert.equal(frame.split('\n')[2], '  runner          portfarm-b-1039 (id 502)');
  ui.unmount();
});
