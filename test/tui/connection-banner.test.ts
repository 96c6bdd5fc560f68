import { test } from 'node:test';
import { UNREACHABLE_HINT } from '../../controller/tui/describe-fetch-failure.ts';
import { StatusFetchError } from '../../controller/tui/status-fetch-error.ts';
import { expectFrame } from './expect-frame.ts';
import { renderDashboard, waitFor } from './render-dashboard.ts';
import { busyFarm, NOW } from './status-fixtures.ts';

const KEYS = '? help  / filter  tab pane  ↑↓ select  enter details  q quit';
const refused = new StatusFetchError(
  'http://127.0.0.1:8080/api/status',
  'cannot reach the controller at http://127.0.0.1:8080/api/status (ECONNREFUSED)',
  UNREACHABLE_HINT,
  { retryable: true },
);

test('before the first answer the dashboard says where it is connecting', async () => {
  const ui = await renderDashboard(null);
  expectFrame(
    ui.frame(),
    [
      'portfarm  http://127.0.0.1:8080                                       connecting',
      '[Hosts 0]  Runners 0   Queues 0   Failures 0   Alerts 0',
      '  connecting to http://127.0.0.1:8080 ...',
    ],
    KEYS,
  );
  ui.unmount();
});

test('an unreachable controller gets a banner naming the URL, the retry and the fix', async () => {
  const ui = await renderDashboard(null);
  ui.statusStore.fail(refused, NOW + 2000);
  ui.statusStore.fail(refused, NOW + 64000);
  await waitFor(() => ui.frame().includes('attempt 2'), 'the second failure is shown');
  expectFrame(
    ui.frame(),
    [
      'portfarm  http://127.0.0.1:8080                                      unreachable',
      '[Hosts 0]  Runners 0   Queues 0   Failures 0   Alerts 0',
      '! cannot reach the controller at http://127.0.0.1:8080/api/status (ECONNREFUSED)',
      'Retrying every 2s (attempt 2, failing for 1m). Fix: start the controller',
      '(portfarm serve) or pass --url (default: controller.host/port in the config).',
      '  no data yet',
    ],
    KEYS,
  );
  ui.unmount();
});

test('losing the controller keeps the last snapshot on screen, marked stale, under the banner', async () => {
  const ui = await renderDashboard(busyFarm());
  ui.statusStore.fail(refused, NOW + 2000);
  ui.statusStore.fail(refused, NOW + 64000);
  await waitFor(() => ui.frame().includes('attempt 2'), 'the second failure is shown');
  expectFrame(
    ui.frame(),
    [
      'portfarm  macports/macports-ports  http://127.0.0.1:8080                stale 1m',
      '[Hosts 3 !1]  Runners 4 !2   Queues 2   Failures 2   Alerts 1',
      '! cannot reach the controller at http://127.0.0.1:8080/api/status (ECONNREFUSED)',
      'Retrying every 2s (attempt 2, failing for 1m); showing the last snapshot. Fix:',
      'start the controller (portfarm serve) or pass --url (default:',
      'controller.host/port in the config).',
      '  HOST              DISK FREE SLOT',
      '> mac-mini-1        212 GiB   0 running py313-numpy (15_arm64) for 13m',
      '  15_arm64                    1 cloning VM (15_arm64) for 1m',
      '  mac-mini-2        38 GiB    0 runner online (15_arm64) for 4m',
      '  15_arm64                    1 empty',
      '                              ! takes no VMs: disk free 38 GiB < 50 GiB',
      '  mac-pro-1         ?         0 booting VM (14_x86_64) for 1m',
      '  14_x86_64                   1 tearing down (14_x86_64) for 1m',
    ],
    `${KEYS}           hosts 1/3`,
  );
  ui.statusStore.receive(busyFarm(), NOW + 66000, 'events');
  await waitFor(() => !ui.frame().includes('ECONNREFUSED'), 'the banner goes away');
  expectFrame(
    ui.frame(),
    [
      'portfarm  macports/macports-ports  http://127.0.0.1:8080                    live',
      '[Hosts 3 !1]  Runners 4 !2   Queues 2   Failures 2   Alerts 1',
      '  HOST              DISK FREE SLOT',
      '> mac-mini-1        212 GiB   0 running py313-numpy (15_arm64) for 13m',
      '  15_arm64                    1 cloning VM (15_arm64) for 1m',
      '  mac-mini-2        38 GiB    0 runner online (15_arm64) for 4m',
      '  15_arm64                    1 empty',
      '                              ! takes no VMs: disk free 38 GiB < 50 GiB',
      '  mac-pro-1         ?         0 booting VM (14_x86_64) for 1m',
      '  14_x86_64                   1 tearing down (14_x86_64) for 1m',
    ],
    `${KEYS}           hosts 1/3`,
  );
  ui.unmount();
});
