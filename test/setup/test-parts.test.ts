import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { planTestParts } from './plan-test-parts.ts';
import { findChromium, requireChromium } from './require-chromium.ts';
import { locatePackagedChromium } from './packaged-chromium.ts';
import { requireTestPart } from './require-test-part.ts';

/** A PATH of one folder holding executables with these names (stand-ins; never run). */
function pathWith(t: { after: (fn: () => void) => void }, ...binaries: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-parts-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const binary of binaries) {
    writeFileSync(join(dir, binary), '#!/bin/sh\n');
    chmodSync(join(dir, binary), 0o755);
  }
  return dir;
}

test('a part on PATH is found; a missing one fails at once naming its Debian package and the install command', (t) => {
  const path = pathWith(t, 'tmux');
  assert.equal(requireTestPart('tmux', { PATH: path }), join(path, 'tmux'));
  const started = performance.now();
  assert.throws(() => requireTestPart('qemu-img', { PATH: path }), {
    message:
      'qemu-img is missing (Debian package qemu-utils; needed by the libvirt backend and qcow2 image tests): not found on PATH. ' +
      '`npm test` installs it in its pretest step when run as root; otherwise install it as root: apt-get update && apt-get install -y --no-install-recommends qemu-utils',
  });
  assert.ok(performance.now() - started < 1000, 'fails fast');
});

test('a file that is not executable does not count as the part', (t) => {
  const path = pathWith(t);
  writeFileSync(join(path, 'tmux'), 'not a program');
  assert.throws(() => requireTestPart('tmux', { PATH: path }), /tmux is missing/);
});

test('without the packaged Chromium, Debian\'s chromium on PATH is used; with neither, the message names both and the fix', async (t) => {
  const noPackage = locatePackagedChromium('arm64');
  assert.deepEqual(noPackage, { unavailable: '@sparticuz/chromium ships an x64 build only, and this machine is arm64' });
  const path = pathWith(t, 'chromium');
  assert.deepEqual(await findChromium({ PATH: path }, noPackage), { path: join(path, 'chromium') });
  await assert.rejects(requireChromium({ PATH: pathWith(t) }, noPackage), {
    message:
      'chromium is missing (Debian package chromium; needed by the site browser tests (test/site/browser.test.ts) and bench:site): ' +
      '@sparticuz/chromium ships an x64 build only, and this machine is arm64, and there is no chromium on PATH. ' +
      '`npm test` installs it in its pretest step when run as root; otherwise install it as root: apt-get update && apt-get install -y --no-install-recommends chromium',
  });
});

test('pretest plan: nothing missing is ready; as root the packages are installed, each once; otherwise it stops with one command for all', () => {
  assert.deepEqual(planTestParts([], false), { kind: 'ready' });
  const missing = [
    { name: 'qemu-img', detail: 'not found on PATH' },
    { name: 'qemu-io', detail: 'not found on PATH' },
    { name: 'tmux', detail: 'not found on PATH' },
  ] as const;
  assert.deepEqual(planTestParts(missing, true), { kind: 'install', packages: ['qemu-utils', 'tmux'] });
  const stop = planTestParts(missing, false);
  assert.ok(stop.kind === 'stop', `not root: stops (${stop.kind})`);
  assert.match(stop.message, /^ {2}- qemu-img is missing \(Debian package qemu-utils;/m);
  assert.match(stop.message, /^ {2}- tmux is missing \(Debian package tmux;/m);
  assert.match(stop.message, /Install them as root, then run npm test again:\n {2}apt-get update && apt-get install -y --no-install-recommends qemu-utils tmux\n$/);
});
