import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SettableStatusFeed } from '../../controller/status/settable-status-feed.ts';
import { startStatusServer } from '../../controller/status/status-server.ts';
import type { StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { formatStatusText } from '../../controller/tui/format-status-text.ts';
import { captureCli } from '../helpers/capture-cli.ts';
import { busyFarm, emptyFarm, NOW } from './status-fixtures.ts';

/** A farm whose text has no ages in it, so the real clock of the CLI cannot change it. */
function idleFarm(): StatusSnapshot {
  const farm = busyFarm();
  return {
    ...emptyFarm(),
    hosts: farm.hosts.slice(0, 1).map((h) => ({ ...h, slots: h.slots.map((s) => ({ ...s, state: 'empty' as const, vmId: null, buildId: null, platform: null, port: null, since: null, image: null })) })),
    queues: farm.queues.slice(1),
    alerts: ['host mac-mini-1: disk free 212 GiB'],
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('stdout not a terminal: one snapshot as plain text, exit 0', async () => {
  const server = await startStatusServer(new SettableStatusFeed(idleFarm()));
  const result = await captureCli(['tui', '--url', server.url]);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(
    result.stdout,
    [
      `portfarm macports/macports-ports at ${server.url}, snapshot of 2026-11-26T06:00:00.000Z`,
      '',
      'HOSTS (1)',
      '  HOST              DISK FREE SLOT',
      '  mac-mini-1        212 GiB   0 empty',
      '  15_arm64                    1 empty',
      '',
      'RUNNERS (0)',
      '  no runners registered',
      '',
      'QUEUES (1)',
      '  PLATFORM      RUNNING                       WATCH BUILD    PR  OLDEST WAIT',
      '  14_x86_64     watcher @9f8e7d6 (dispatched)     0     0     0  -',
      '    next: nothing pending',
      '',
      'FAILURES (0)',
      '  no recent failures',
      '',
      'ALERTS (1)',
      '  ! host mac-mini-1: disk free 212 GiB',
      '',
    ].join('\n'),
  );
  await server.close();
});

test('the plain text report has every pane in full: log URLs and alerts are not cut', () => {
  assert.equal(
    formatStatusText(busyFarm(), 'http://127.0.0.1:8080', NOW),
    [
      'portfarm macports/macports-ports at http://127.0.0.1:8080, snapshot of 2026-11-26T06:00:00.000Z',
      '',
      'HOSTS (3)',
      '  HOST              DISK FREE SLOT',
      '  mac-mini-1        212 GiB   0 running py313-numpy (15_arm64) for 12m',
      '  15_arm64                    1 cloning VM (15_arm64) for 42s',
      '  mac-mini-2        38 GiB    0 runner online (15_arm64) for 3m',
      '  15_arm64                    1 empty',
      '                              ! takes no VMs: disk free 38 GiB < 50 GiB',
      '  mac-pro-1         ?         0 booting VM (14_x86_64) for 20s',
      '  14_x86_64                   1 tearing down (14_x86_64) for 8s',
      '',
      'RUNNERS (4, 2 suspicious)',
      '  RUNNER                    AGE    JOB               STATE',
      '  portfarm-b-1041           13m    py313-numpy       busy',
      '  portfarm-b-1039           3m     b-1039            ! online, no job > 2m',
      '  portfarm-b-1043           25s    b-1043            online, idle',
      '  portfarm-b-1030           1h00m  b-1030            ! registration without VM',
      '',
      'QUEUES (2)',
      '  PLATFORM      RUNNING                       WATCH BUILD    PR  OLDEST WAIT',
      '  15_arm64      py313-numpy +1 2/2                1    42     3  2h05m',
      '    next: 1.watcher @9f8e7d6 2.py313-scipy 3.py313-pandas 4.PR libfoo 5.gdal',
      '    blocked 312: qt6-qtbase 309, mlx 3',
      '  14_x86_64     watcher @9f8e7d6 (dispatched)     0     0     0  -',
      '    next: nothing pending',
      '',
      'FAILURES (2)',
      '  PORT                      PLATFORM      PHASE               AGE',
      '  rust                      15_arm64      install-port        3h05m ago',
      '    https://build.macports.org/builders/ports-15_arm64-builder/builds/32503/steps/install-port/logs/stdio',
      '  watcher                   14_x86_64     list-subports       1d02h ago',
      '    no log URL',
      '',
      'ALERTS (1)',
      '  ! image macos-14-base@3 has runner 2.319.1, older than the 30-day limit; rebuild the image',
      '',
    ].join('\n'),
  );
});

test('--json prints the validated snapshot as JSON, exit 0', async () => {
  const server = await startStatusServer(new SettableStatusFeed(busyFarm()));
  const result = await captureCli(['tui', '--url', `${server.url}/`, '--json']);
  assert.equal(result.code, 0);
  assert.deepEqual(JSON.parse(result.stdout), busyFarm());
  await server.close();
});

test('an unreachable controller: one line naming the URL and the fix, no stack, exit 1', async () => {
  const port = await freePort();
  for (const argv of [['--json'], []]) {
    const result = await captureCli(['tui', '--url', `http://127.0.0.1:${port}`, ...argv]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `portfarm: cannot reach the controller at http://127.0.0.1:${port}/api/status (ECONNREFUSED); ` +
        'start the controller (portfarm serve) or pass --url (default: controller.host/port in the config)\n',
    );
  }
});

test('something that is not a portfarm controller: the URL, what it answered, exit 1', async () => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result = await captureCli(['tui', '--url', url]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `portfarm: ${url}/api/status did not answer with JSON (<html>hello</html>); is --url the portfarm controller?\n`);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('the URL comes from the config: controller.host and port, a wildcard host meaning this machine', async () => {
  const server = await startStatusServer(new SettableStatusFeed(busyFarm()));
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-tui-'));
  const { port } = new URL(server.url);
  writeFileSync(
    join(dir, 'portfarm.config.yaml'),
    `github: {appId: 1, privateKeyPath: k.pem, repo: macports/macports-ports}\ncontroller: {host: 0.0.0.0, port: ${port}}\n` +
      'platforms:\n  - {name: 15_arm64, image: macos-15-base, hosts: [{name: mac-mini-1, address: 10.0.0.21}]}\n',
  );
  const result = await captureCli(['tui', '--json'], { cwd: dir });
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.deepEqual(JSON.parse(result.stdout), busyFarm());
  await server.close();
});

test('usage errors exit 2 and say what to pass', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-tui-'));
  const noConfig = await captureCli(['tui'], { cwd: dir });
  assert.equal(noConfig.code, 2);
  assert.equal(
    noConfig.stderr,
    `portfarm: no controller URL: pass --url http://HOST:PORT, or --config FILE, or run where portfarm.config.yaml is (looked in ${dir})\n`,
  );
  const ftp = await captureCli(['tui', '--url', 'ftp://farm']);
  assert.equal(ftp.code, 2);
  assert.equal(ftp.stderr, 'portfarm: --url "ftp://farm" must be http:// or https://, e.g. --url http://127.0.0.1:8080\n');
  const junk = await captureCli(['tui', '--url', 'farm:8080:x']);
  assert.equal(junk.code, 2);
});

test('the status token: sent from PORTFARM_STATUS_TOKEN (or the variable controller.statusTokenEnv names); without it a 401 says what to set', async () => {
  const server = await startStatusServer(new SettableStatusFeed(busyFarm()), { token: 'dashboard-token' });
  try {
    const missing = await captureCli(['tui', '--json', '--url', server.url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /answered HTTP 401.*set PORTFARM_STATUS_TOKEN to the controller's status token/);
    const wrong = await captureCli(['tui', '--json', '--url', server.url], { env: { PORTFARM_STATUS_TOKEN: 'not-it' } });
    assert.equal(wrong.code, 1);
    const right = await captureCli(['tui', '--json', '--url', server.url], { env: { PORTFARM_STATUS_TOKEN: 'dashboard-token' } });
    assert.equal(right.stderr, '');
    assert.deepEqual(JSON.parse(right.stdout), busyFarm());
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-tui-'));
    writeFileSync(
      join(dir, 'portfarm.config.yaml'),
      `github: {appId: 1, privateKeyPath: k.pem, repo: macports/macports-ports}\ncontroller: {host: 127.0.0.1, port: ${new URL(server.url).port}, statusTokenEnv: FARM_DASH}\n` +
        'platforms:\n  - {name: 15_arm64, image: macos-15-base, hosts: [{name: mac-mini-1, address: 10.0.0.21}]}\n',
    );
    const named = await captureCli(['tui', '--json'], { cwd: dir, env: { FARM_DASH: 'dashboard-token' } });
    assert.equal(named.stderr, '');
    assert.deepEqual(JSON.parse(named.stdout), busyFarm());
    const help = await captureCli(['tui', '--help']);
    assert.match(help.stdout, /controller\.statusTokenEnv \(default PORTFARM_STATUS_TOKEN\)/);
  } finally {
    await server.close();
  }
});
