import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { captureCli } from '../helpers/capture-cli.ts';

// The service files an operator copies (docs/service/): each must start the pinned runtime on
// files that exist, with flags `serve` accepts, and keep secrets out of world-readable files.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const serviceDir = join(root, 'docs', 'service');
const INSTALL = '/opt/portfarm/';

/** Paths below the install folder that a command line names, as paths in this repository. */
function installedPaths(commandLine: string): string[] {
  return [...commandLine.matchAll(/\/opt\/portfarm\/(\S+)/g)].map((m) => m[1] ?? '');
}

async function assertServeAccepts(commandLine: string): Promise<void> {
  const args = commandLine.slice(commandLine.indexOf(' serve ') + 1).trim().split(/\s+/);
  assert.equal(args[0], 'serve');
  const flags = args.filter((a) => a.startsWith('--'));
  const help = await captureCli(['serve', '--help']);
  for (const flag of flags) assert.match(help.stdout, new RegExp(`${flag}\\b`), `serve --help knows ${flag}`);
}

describe('service files', () => {
  it('the systemd unit runs the pinned Node on main.ts with serve flags that exist, secrets from an EnvironmentFile', async () => {
    const unit = readFileSync(join(serviceDir, 'portfarm.service'), 'utf8');
    const exec = /^ExecStart=(.+)$/m.exec(unit)?.[1];
    assert.ok(exec !== undefined, 'ExecStart');
    assert.ok(exec.startsWith(`${INSTALL}node_modules/node/bin/node `), 'the pinned runtime, not the system node');
    for (const path of installedPaths(exec)) {
      if (path.startsWith('node_modules/')) continue;
      assert.ok(existsSync(join(root, path)), `${path} exists in the repository`);
    }
    await assertServeAccepts(exec);
    assert.match(unit, /^EnvironmentFile=/m);
    assert.doesNotMatch(unit, /^Environment=.*(SECRET|TOKEN)=/m, 'no secret inline in the unit');
    for (const section of ['[Unit]', '[Service]', '[Install]']) assert.ok(unit.includes(section), section);
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.status === 0) {
      // Only syntax: the unit's paths are the target machine's, not this one's.
      const verify = spawnSync('systemd-analyze', ['verify', '--man=no', join(serviceDir, 'portfarm.service')], { encoding: 'utf8' });
      assert.doesNotMatch(verify.stderr, /Unknown (section|key)|Invalid/i, verify.stderr);
    }
  });

  it('the launchd plist is well-formed, labelled, and runs the same command', async () => {
    const plist = readFileSync(join(serviceDir, 'org.macports.portfarm.plist'), 'utf8');
    assert.match(plist, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    // Every element opened is closed in order (a plist is plain XML without attributes that matter here).
    const stack: string[] = [];
    for (const tag of plist.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[^>]*\?>|<!DOCTYPE[^>]*>/g, '').matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      const [, closing, name = '', selfClosing] = tag;
      if (selfClosing === '/') continue;
      if (closing === '/') assert.equal(stack.pop(), name, `</${name}> closes the element opened last`);
      else stack.push(name);
    }
    assert.deepEqual(stack, []);
    assert.match(plist, /<key>Label<\/key>\s*<string>org\.macports\.portfarm<\/string>/);
    const command = /<string>(set -a;[^<]+)<\/string>/.exec(plist)?.[1];
    assert.ok(command !== undefined, 'the shell command');
    assert.match(command, /exec \/opt\/portfarm\/node_modules\/node\/bin\/node \/opt\/portfarm\/controller\/cli\/main\.ts serve /);
    await assertServeAccepts(command.slice(command.indexOf('exec ')));
    assert.doesNotMatch(plist, /SECRET=|TOKEN=/, 'no secret in the world-readable plist');
  });

  it('the Containerfile copies only what exists and builds where a container engine runs', (t) => {
    const file = readFileSync(join(serviceDir, 'Containerfile'), 'utf8');
    for (const m of file.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of (m[1] ?? '').split(/\s+/)) assert.ok(existsSync(join(root, source)), `COPY ${source} exists`);
    }
    assert.match(file, /^ENTRYPOINT \[.*controller\/cli\/main\.ts"\]$/m);
    assert.match(file, /^USER portfarm$/m, 'not root');
    const engine = ['docker', 'podman'].find((name) => spawnSync(name, ['info'], { encoding: 'utf8', timeout: 20_000 }).status === 0);
    if (engine === undefined) {
      // docker's client alone answers --version; without a running engine nothing can be built here.
      t.skip('no container engine runs here (docker info / podman info failed): build not tried');
      return;
    }
    const build = spawnSync(engine, ['build', '-f', join(serviceDir, 'Containerfile'), '-t', 'portfarm-test', root], { encoding: 'utf8', timeout: 900_000 });
    assert.equal(build.status, 0, build.stderr);
  });
});
