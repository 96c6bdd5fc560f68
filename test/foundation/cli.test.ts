import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };
import { Interrupted } from '../../controller/errors/interrupted.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('--help lists every subcommand', async () => {
  const result = await captureCli(['--help']);
  assert.equal(result.code, 0);
  for (const name of ['serve', 'tui', 'site', 'simulate', 'demo']) {
    assert.match(result.stdout, new RegExp(`^  ${name} `, 'm'), `--help lists ${name}`);
  }
});

test('--version prints the package version', async () => {
  const result = await captureCli(['--version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), packageJson.version);
});

test('an unknown subcommand is named, with the valid ones, exit 2', async () => {
  const result = await captureCli(['buidl']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown command 'buidl'/);
  assert.match(result.stderr, /valid subcommands of portfarm: serve, tui, site, simulate, demo/);
  assert.equal(result.stdout, '');
});

test('an unknown flag is named, with the valid flags of that subcommand, exit 2', async () => {
  const result = await captureCli(['site', 'build', '--ledgr', 'x']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown option '--ledgr'/);
  assert.match(result.stderr, /valid options of portfarm site build: --config, --ledger, --out, --eta, --eta-url, --eta-live, --help/);
});

test('subcommand --help describes its options', async () => {
  const result = await captureCli(['simulate', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--policy <policy>/);
  assert.match(result.stdout, /--full-rebuild-at <iso>/);
});

test('the installed bin runs on the pinned Node and prints help', () => {
  // npm puts node_modules/.bin first on PATH, so `#!/usr/bin/env node` finds the pinned runtime.
  const path = `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  const version = execFileSync('node', ['--version'], { env: { ...process.env, PATH: path }, encoding: 'utf8' }).trim();
  assert.ok(Number(version.slice(1).split('.')[0]) >= 24, `pinned node is ${version}`);
  const run = spawnSync(join(root, 'controller', 'cli', 'portfarm.js'), ['--help'], { env: { ...process.env, PATH: path }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: portfarm/);
  assert.doesNotMatch(run.stderr, /ExperimentalWarning/);
});

test('a bad config file given to a subcommand names each bad key, exit 2', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-cli-'));
  writeFileSync(join(dir, 'bad.yaml'), 'github: {appId: -3, privateKeyPath: k.pem, repo: a/b}\nplatforms:\n  - {name: "15", image: base, hosts: [{name: h, address: x}]}\n');
  const result = await captureCli(['serve', '--config', 'bad.yaml'], { cwd: dir });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    [
      'portfarm: bad.yaml: 2 problems in the config:',
      '  - github.appId: -3 must be positive',
      '  - platforms[0].name: "15" is not a platform name; use <macOS major>[.<minor>]_<arch>, e.g. 15_arm64 or 10.15_x86_64',
      '',
    ].join('\n'),
  );
});

test('SIGINT or SIGTERM stopping a subcommand is said as such with the shell\'s exit code (130, 143), not as an internal error', async () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const stop = new AbortController();
    // A controller that takes the request and never answers: the signal comes while `portfarm eta` waits.
    const server = createServer(() => { stop.abort(new Interrupted(signal)); });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
      assert.deepEqual(await captureCli(['eta', 'curl', '--url', url], { signal: stop.signal }), { code, stdout: '', stderr: `portfarm: interrupted by ${signal}\n` });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }
});
