import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };
import { MINIMUM_NODE, nodeVersionProblem } from '../../controller/cli/node-version-problem.js';
import { findOnPath } from '../setup/find-on-path.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'controller', 'cli', 'portfarm.js');
const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
const runtime = { execPath: '/usr/bin/node', root: '/srv/portfarm', args: ['serve', '--config', '/etc/portfarm/farm.yaml'], exists: () => true };

test('the minimum Node the bin checks is the one package.json engines asks for', () => {
  assert.equal(packageJson.engines.node, `>=${MINIMUM_NODE}`);
});

test('Node 24.11 and newer run portfarm; 24.10 and older are told what to run instead', () => {
  for (const version of ['v24.11.0', 'v24.21.0', 'v25.0.0', 'v100.1.2']) assert.equal(nodeVersionProblem({ ...runtime, version }), undefined, version);
  for (const version of ['v24.10.9', 'v22.20.0', 'v20.20.2', 'v18.0.0']) assert.notEqual(nodeVersionProblem({ ...runtime, version }), undefined, version);
  assert.equal(
    nodeVersionProblem({ ...runtime, version: 'v20.20.2' }),
    [
      'portfarm: Node.js v20.20.2 (/usr/bin/node) cannot run portfarm: it needs Node.js 24.11 or newer, which runs its TypeScript sources directly.',
      'Run it with the Node.js its install pins:',
      '  cd /srv/portfarm && npx portfarm serve --config /etc/portfarm/farm.yaml',
      "or by path (a service unit's ExecStart, a cron line):",
      '  /srv/portfarm/node_modules/node/bin/node /srv/portfarm/controller/cli/portfarm.js serve --config /etc/portfarm/farm.yaml',
      '',
    ].join('\n'),
  );
});

test('an install without its pinned runtime yet (no npm ci) is told to run npm ci; odd arguments are quoted for the shell', () => {
  const message = nodeVersionProblem({ ...runtime, version: 'v20.20.2', args: ['demo', "it's here"], exists: () => false }) ?? '';
  assert.match(message, /^ {2}cd \/srv\/portfarm && npx portfarm demo 'it'\\''s here'$/m);
  assert.match(message, /^\/srv\/portfarm\/node_modules\/node\/bin\/node is not there yet: run `npm ci` in \/srv\/portfarm first\.$/m);
});

/** A Node.js older than the minimum on this machine (the system's, not the pinned one), if any. */
function oldNode(): string | undefined {
  const candidates = [...(process.env['PATH'] ?? '').split(delimiter).map((dir) => findOnPath('node', dir)), '/usr/bin/node', '/usr/local/bin/node'];
  for (const candidate of candidates) {
    if (candidate === undefined || realpathSync(candidate) === realpathSync(pinned)) continue;
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (nodeVersionProblem({ ...runtime, version }) !== undefined) return candidate;
    } catch {
      // not a node that runs
    }
  }
  return undefined;
}

test('the bin started by an old Node (the system\'s, as a service unit would) exits 2 naming the fix, not ERR_UNKNOWN_FILE_EXTENSION', (t) => {
  const old = oldNode();
  if (old === undefined) {
    t.skip('no Node.js older than 24.11 on this machine');
    return;
  }
  const version = execFileSync(old, ['--version'], { encoding: 'utf8' }).trim();
  // Both ways a service starts it: the old node named in ExecStart, and the bin itself with the old node first on PATH.
  const byNode = spawnSync(old, [bin, 'serve', '--config', 'farm.yaml'], { encoding: 'utf8' });
  const byPath = spawnSync(bin, ['serve', '--config', 'farm.yaml'], { encoding: 'utf8', env: { ...process.env, PATH: `${dirname(old)}${delimiter}/usr/bin${delimiter}/bin` } });
  for (const run of [byNode, byPath]) {
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.doesNotMatch(run.stderr, /ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
    assert.match(run.stderr, new RegExp(`^portfarm: Node.js ${version.replaceAll('.', '\\.')} \\(.+\\) cannot run portfarm: it needs Node.js 24.11 or newer`));
    assert.ok(run.stderr.includes(`  cd ${realpathSync(root)} && npx portfarm serve --config farm.yaml\n`), run.stderr);
    assert.ok(run.stderr.includes(`  ${join(realpathSync(root), 'node_modules', 'node', 'bin', 'node')} ${realpathSync(bin)} serve --config farm.yaml\n`), run.stderr);
  }
});
