import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../controller/config/config-error.ts';
import { loadConfig, parseConfig } from '../../controller/config/load-config.ts';
import { UserError } from '../../controller/errors/user-error.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = readFileSync(join(root, 'controller', 'config', 'portfarm.config.example.yaml'), 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.problems.map((p) => `${p.key}: ${p.value === undefined ? '(missing)' : JSON.stringify(p.value)}: ${p.message}`);
  }
  assert.fail('expected the config to be rejected');
}

test('the sample config is valid and the secret comes from the environment', () => {
  const config = parseConfig(example, 'example', { PORTFARM_WEBHOOK_SECRET: 's3cret' });
  assert.equal(config.github.webhookSecret, 's3cret');
  assert.deepEqual(config.platforms.map((p) => p.name), ['15_arm64', '10.15_x86_64']);
  assert.equal(config.platforms[0]?.hosts[0]?.maxVms, 2);
  assert.equal(parseConfig(example, 'example', {}).github.webhookSecret, undefined);
});

test('each bad key is reported once, naming key, value and fix', () => {
  const bad = example
    .replace('name: 15_arm64', 'name: 15-arm64')
    .replace('backend: tart', 'backend: vmware')
    .replace('{ name: mac-mini-2, address: 10.0.0.22, maxVms: 2 }', '{ name: mac-mini-2, address: 10.0.0.22, maxVms: 3 }')
    .replace('repo: macports/macports-ports', 'repo: macports-ports')
    .replace('port: 8080', 'port: 8080\n  colour: blue');
  const problems = problemsOf(bad);
  assert.deepEqual(problems.sort(), [
    'controller.colour: "blue": is not a known key; remove it or check its spelling',
    'github.repo: "macports-ports": must be owner/name of the ports repository, e.g. macports/macports-ports',
    "platforms[0].backend: \"vmware\": must be one of tart, orchard, libvirt, fake",
    "platforms[0].hosts[1].maxVms: 3: must be at most 2: Apple's licence allows 2 macOS VMs per Mac host",
    'platforms[0].name: "15-arm64": is not a platform name; use <macOS major>[.<minor>]_<arch>, e.g. 15_arm64 or 10.15_x86_64',
  ]);
});

test('a missing required key says it is required', () => {
  const problems = problemsOf('platforms: []\n');
  assert.ok(problems.some((p) => p.startsWith('github: (missing): is required')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('platforms: []: must list at least one platform')), problems.join('\n'));
});

test('duplicate platforms and a host with two addresses are rejected', () => {
  const twice = example.replace('name: 10.15_x86_64', 'name: 15_arm64').replace('name: xserve-1, address: 10.0.0.31', 'name: mac-mini-1, address: 10.0.0.99');
  assert.deepEqual(problemsOf(twice).sort(), [
    'platforms[1].hosts[0].name: "mac-mini-1": names the same host as platforms[0].hosts[0] with a different address or maxVms; one host has one address and one VM cap',
    'platforms[1].name: "15_arm64": is already used by platforms[0]; give each platform one entry',
  ]);
});

test('parallelBuilds defaults to 1 and is refused above the VM slots the platform\'s hosts offer, naming the value and the fix', () => {
  assert.deepEqual(parseConfig(example, 'example', {}).platforms.map((p) => p.parallelBuilds), [1, 1]);
  const four = example.replace('parallelBuilds: 1 ', 'parallelBuilds: 4 ');
  assert.equal(parseConfig(four, 'example', {}).platforms[0]?.parallelBuilds, 4, 'two hosts of 2 VMs offer 4 slots');
  assert.deepEqual(problemsOf(example.replace('parallelBuilds: 1 ', 'parallelBuilds: 5 ')), [
    'platforms[0].parallelBuilds: 5: is more than the 4 VM slots its hosts offer (the sum of their maxVms); lower it to 4 or add hosts',
  ]);
  assert.deepEqual(problemsOf(example.replace('parallelBuilds: 1 ', 'parallelBuilds: 0 ')), ['platforms[0].parallelBuilds: 0: must be at least 1']);
});

test('invalid YAML names the problem', () => {
  assert.match(problemsOf('github: [unclosed\n')[0] ?? '', /\(YAML\).*is not valid YAML/);
});

test('a missing --config file is a UserError naming the path and fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-config-'));
  assert.throws(() => loadConfig({ path: 'nope.yaml', cwd: dir }, {}), (e: unknown) => e instanceof UserError && /config file nope.yaml not found.*--config/.test(e.message));
  assert.throws(() => loadConfig({ cwd: dir }, {}), /no config: portfarm.config.yaml is not in/);
  assert.equal(loadConfig({ cwd: dir, allowDefaults: true }, {}).source, 'embedded defaults');
  writeFileSync(join(dir, 'portfarm.config.yaml'), example);
  assert.equal(loadConfig({ cwd: dir }, {}).source, 'portfarm.config.yaml');
});

test('checks: the failure checks a commit may get are capped below GitHub\'s 50,000 check runs per commit', () => {
  assert.deepEqual(parseConfig(example, 'example', {}).checks, { portChecksPerList: 50, summaryIntervalSeconds: 180, failureChecksPerCommit: 40_000 });
  const problems = problemsOf(example.replace('failureChecksPerCommit: 40000', 'failureChecksPerCommit: 50000').replace('portChecksPerList: 50', 'portChecksPerList: 5000'));
  assert.deepEqual(problems.sort(), [
    'checks.failureChecksPerCommit: 50000: must be at most 45,000: GitHub keeps 50,000 check runs per commit, and port and summary checks need room',
    "checks.portChecksPerList: 5000: must be at most 1,000: with 20 platforms a commit would hold 20,000 port checks of GitHub's 50,000",
  ]);
});
