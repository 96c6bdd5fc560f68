import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureCli } from '../helpers/capture-cli.ts';

const example = readFileSync(join(import.meta.dirname, '..', '..', 'controller', 'config', 'portfarm.config.example.yaml'), 'utf8');
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';

/** Every file below `dir` with its bytes: what "nothing changed" is checked against. */
function contents(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e): [string, string] => {
      const path = join(e.parentPath, e.name);
      return [path, e.isFile() ? readFileSync(path, 'base64') : '(not a file)'];
    })
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** A working folder with a usable config (state kept below it) and a key file. */
function workDir(config = example): string {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-bad-input-'));
  writeFileSync(join(dir, 'app.pem'), PEM);
  writeFileSync(
    join(dir, 'portfarm.config.yaml'),
    config
      .replace(/privateKeyPath: .*/, 'privateKeyPath: app.pem')
      // Were a bad start to reach GitHub, it would reach nothing.
      .replace(/apiUrl: .*/, 'apiUrl: http://127.0.0.1:9').replace(/ {2}path: \/var\/lib\/portfarm\/portfarm\.sqlite/, '  path: state/portfarm.sqlite'),
  );
  return dir;
}

test('config: each bad config is refused whole, exit 2, one line per problem naming key, value and fix; no file is created or changed', async () => {
  const cases: [string, string, RegExp[]][] = [
    ['YAML syntax error', 'github: [unclosed\n', [/^ {2}- \(YAML\): \(missing\) is not valid YAML: /m]],
    ['a key given twice', example.replace('github:\n', 'github:\n  appId: 7\n'), [/\(YAML\).*is not valid YAML: Map keys must be unique/]],
    ['unknown key', example.replace('  port: 8080', '  port: 8080\n  prot: 8081'), [/^ {2}- controller\.prot: 8081 is not a known key; remove it or check its spelling$/m]],
    ['wrong types', example.replace(/appId: \d+/, 'appId: "twelve"').replace('port: 8080', 'port: eighty'), [/^ {2}- github\.appId: "twelve" must be the numeric GitHub App id/m, /^ {2}- controller\.port: "eighty" must be a TCP port number$/m]],
    ['bad platform name', example.replace('name: 15_arm64', 'name: sequoia'), [/^ {2}- platforms\[0\]\.name: "sequoia" is not a platform name; use <macOS major>\[\.<minor>\]_<arch>, e\.g\. 15_arm64/m]],
    ['duplicate platform', example.replace('name: 10.15_x86_64', 'name: 15_arm64'), [/^ {2}- platforms\[1\]\.name: "15_arm64" is already used by platforms\[0\]; give each platform one entry$/m]],
    ['a host with two addresses', example.replace('name: xserve-1, address: 10.0.0.31', 'name: mac-mini-1, address: 10.0.0.99'), [/^ {2}- platforms\[1\]\.hosts\[0\]\.name: "mac-mini-1" names the same host as platforms\[0\]\.hosts\[0\] with a different address/m]],
    ['platforms not a list', example.replace(/^platforms:[\s\S]*?(?=^state:)/m, 'platforms: 15_arm64\n'), [/^ {2}- platforms: "15_arm64" /m]],
    ['an empty file', '', [/\(top level\): null must be a mapping with github: and platforms:/]],
    ['no repository id (the hand-off could not check a token)', example.replace(/^ {2}repositoryId: .*\n/m, ''), [/^ {2}- github\.repositoryId: \(missing\) is required to accept watchers' port lists: set it to the numeric id of macports\/macports-ports \(gh api repos\/macports\/macports-ports --jq \.id\)/m]],
  ];
  for (const [what, text, problems] of cases) {
    const dir = workDir(text);
    const before = contents(dir);
    const result = await captureCli(['serve'], { cwd: dir, env: { PORTFARM_WEBHOOK_SECRET: 's' } });
    assert.equal(result.code, 2, `${what}: ${result.stderr}`);
    assert.match(result.stderr, /^portfarm: portfarm\.config\.yaml: \d+ problems? in the config:\n/, what);
    for (const problem of problems) assert.match(result.stderr, problem, what);
    assert.equal(result.stdout, '');
    assert.deepEqual(contents(dir), before, `${what}: nothing created or changed`);
  }
});

test('config: a missing webhook secret is named with its variable before any state is created or GitHub is asked', async () => {
  for (const env of [{}, { PORTFARM_WEBHOOK_SECRET: '' }]) {
    const dir = workDir();
    const before = contents(dir);
    const result = await captureCli(['serve'], { cwd: dir, env });
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr: "portfarm: no webhook secret: set the environment variable PORTFARM_WEBHOOK_SECRET to the App's webhook secret (GitHub App settings → Webhook)\n",
    });
    assert.deepEqual(contents(dir), before, 'no state folder, no SQLite file');
  }
  const blocked = workDir();
  writeFileSync(join(blocked, 'portfarm.config.yaml'), readFileSync(join(blocked, 'portfarm.config.yaml'), 'utf8').replace('path: state/portfarm.sqlite', 'path: app.pem/portfarm.sqlite'));
  const untokened = await captureCli(['serve'], { cwd: blocked, env: { PORTFARM_WEBHOOK_SECRET: 's' } });
  assert.equal(untokened.code, 2);
  assert.match(untokened.stderr, /^portfarm: no status token: set the environment variable PORTFARM_STATUS_TOKEN to a long random string/);
  const unopenable = await captureCli(['serve'], { cwd: blocked, env: { PORTFARM_WEBHOOK_SECRET: 's', PORTFARM_STATUS_TOKEN: 't' } });
  assert.equal(unopenable.code, 2);
  assert.match(unopenable.stderr, /^portfarm: cannot open the state database .*app\.pem\/portfarm\.sqlite \((ENOTDIR|EEXIST): .*\); check state\.path in the config/);
  const dir = workDir(example.replace(/webhookSecretEnv: .*/, 'webhookSecretEnv: FARM_HOOK_SECRET'));
  const named = await captureCli(['serve'], { cwd: dir, env: { PORTFARM_WEBHOOK_SECRET: 'not this one' } });
  assert.match(named.stderr, /set the environment variable FARM_HOOK_SECRET/);
});

test('CLI: bad numbers, missing options and paths that do not exist: exit 2 naming the value and the fix; nothing is written', async () => {
  const dir = workDir();
  const before = contents(dir);
  const cases: [string[], RegExp][] = [
    [['demo', '--duration', '-5'], /^portfarm: --duration "-5" is not a number of seconds from 5 to 86400; e\.g\. --duration 60\n$/],
    [['demo', '--duration', 'abc'], /^portfarm: --duration "abc" is not a number of seconds/],
    [['demo', '--duration'], /^error: option '--duration <seconds>' argument missing\nsee portfarm demo --help\n$/],
    [['demo', '--boot', '1.5'], /^portfarm: --boot "1\.5" is not milliseconds from 0 to 600000/],
    [['demo', '--duration', '5', '--dir', 'app.pem/demo'], /^portfarm: --dir .*app\.pem\/demo cannot be created \(ENOTDIR: not a directory.*\); give a folder portfarm may create/],
    [['demo', '--json', '--bogus'], /^error: unknown option '--bogus'\nvalid options of portfarm demo: --duration, --boot, --dir, --json, --no-tui, --help\n$/],
    [['simulate', '--platforms', '0', '--ports', 'p', '--commits', 'c'], /^portfarm: --platforms "0" must be a whole number from 1 to 64\n$/],
    [['simulate', '--seed', '1e3', '--ports', 'p', '--commits', 'c'], /^portfarm: --seed "1e3" must be a whole number/],
    [['simulate', '--policy', 'fifo'], /^portfarm: --policy "fifo" is not a policy; use one of legacy, proposed, portfarm\n$/],
    [['simulate', '--full-rebuild-at', 'tomorrow', '--ports', 'p', '--commits', 'c'], /^portfarm: --full-rebuild-at "tomorrow" is not an ISO 8601 time; use e\.g\. 2026-05-01T00:00:00Z\n$/],
    [['simulate', '--commits', 'c'], /^portfarm: --ports is required/],
    [['simulate', '--ports', 'nope.json', '--commits', 'nope.ndjson'], /^portfarm: cannot read ports file .*nope\.json; pass the ports\.json of the MacPorts data set to --ports\n$/],
    [['site', 'build', '--ledger', 'nope.ndjson', '--out', 'site'], /^portfarm: ledger .*nope\.ndjson not found; pass the NDJSON build ledger to --ledger\n$/],
    [['site', 'build', '--ledger', 'state', '--out', 'site'], /^portfarm: ledger .*state is a folder|^portfarm: ledger .*state not found/],
    [['site', 'resolve', '/builders/x/builds/1', '--site', 'nope'], /^portfarm: .*nope holds no site \(no map\/_index\.json\); pass the --out folder of portfarm site build to --site\n$/],
    [['site', 'resolve'], /^error: missing required argument 'path'\nsee portfarm site resolve --help\n$/],
    [['serve', '--config', 'nope.yaml'], /^portfarm: config file nope\.yaml not found \(looked at .*\); pass an existing file to --config\n$/],
    [['serve', '--ports', 'nope.json'], /^portfarm: cannot read ports file .*nope\.json/],
    [['tui', '--url', 'not a url', '--json'], /^portfarm: --url "not a url" is not a URL; pass the controller's address, e\.g\. --url http:\/\/127\.0\.0\.1:8080\n$/],
    [['image', 'prepare', '--from', 'x'], /^error: required option '--platform <name>' not specified\nsee portfarm image prepare --help\n$/],
    [['image', 'list', '--platform', '99_arm64'], /^portfarm: platform "99_arm64" is not configured; known: 15_arm64, 10\.15_x86_64/],
  ];
  for (const [argv, stderr] of cases) {
    const result = await captureCli(argv, { cwd: dir, env: { PORTFARM_WEBHOOK_SECRET: 's' } });
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, stderr, argv.join(' '));
    assert.equal(result.stdout, '', argv.join(' '));
  }
  assert.deepEqual(contents(dir), before, 'no file created or changed');
});
