import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openImageRegistryStore } from '../../controller/images/image-registry-store.ts';
import { captureCli } from '../helpers/capture-cli.ts';
import { imageVersion } from './image-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'portfarm-image-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
writeFileSync(
  join(dir, 'portfarm.config.yaml'),
  [
    'github: {appId: 1, privateKeyPath: k.pem, repo: macports/macports-ports}',
    'platforms:',
    '  - {name: 15_arm64, image: macos-15-vanilla, backend: tart, hosts: [{name: mac-mini-1, address: 10.0.0.21}]}',
    '  - {name: 10.15_x86_64, image: macos-10.15-vanilla, backend: libvirt, hosts: [{name: xserve-1, address: 10.0.0.31}]}',
    'state: {path: state/portfarm.sqlite}',
  ].join('\n'),
);
const recipeFlags = ['--runner-version', '2.330.0', '--runner-sha256', 'b'.repeat(64), '--macports-version', '2.11.5', '--mirror-url', 'http://mirror.farm:8081/'];

test('image prepare --dry-run prints every step and the seal, and changes nothing', async () => {
  const result = await captureCli(['image', 'prepare', '--platform', '15_arm64', '--from', 'macos-15-vanilla', '--dry-run', ...recipeFlags], { cwd: dir });
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  const lines = result.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'plan: 15_arm64 → 15_arm64-base@v1 (tart on mac-mini-1) from image:macos-15-vanilla',
    'VM imageprep-15_arm64-v1: cloned from macos-15-vanilla, destroyed after sealing',
    'In the VM, each script runs as root (sudo -n /bin/sh -eu -c SCRIPT); a step whose check exits 0 is skipped.',
  ]);
  assert.deepEqual(
    lines.filter((l) => /^\d\d?\. /.test(l.trim())).map((l) => l.trim().split(':')[0]),
    ['1. xcode-tools', '2. tools-macports', '3. tools-git', '4. tools-mpbb', '5. runner-user', '6. runner-sudoers', '7. actions-runner', '8. macports-prefix', '9. cache-config', '10. cleanup', '11. seal-tart'],
  );
  assert.deepEqual(lines.slice(-5), [
    '           tart clone imageprep-15_arm64-v1 15_arm64-base@v1',
    '',
    'then: register 15_arm64-base@v1 (runner 2.330.0, MacPorts 2.11.5); it becomes current (the platform has no image yet)',
    'dry run: nothing was changed',
    '',
  ]);
  assert.deepEqual(readdirSync(dir), ['portfarm.config.yaml'], 'no state was written');
});

test('a libvirt platform plans the power-off and the read-only qcow2 base', async () => {
  const result = await captureCli(['image', 'prepare', '--platform', '10.15_x86_64', '--from', 'vm:old-worker', '--dry-run', ...recipeFlags], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^VM old-worker: prepared in place and stopped for sealing$/m);
  assert.match(result.stdout, /^11\. stop-vm: power off old-worker$/m);
  assert.match(result.stdout, /^12\. seal-qcow2: flatten the disk of old-worker into the read-only base \/var\/lib\/portfarm\/images\/10\.15_x86_64-base@v1\.qcow2$/m);
  assert.match(result.stdout, /qemu-img convert -O qcow2 "\$disk" \/var\/lib\/portfarm\/images\/10\.15_x86_64-base@v1\.qcow2\.tmp$/m);
});

test('missing or bad recipe flags are each named with an example, exit 2; an unknown platform lists the known ones', async () => {
  const result = await captureCli(['image', 'prepare', '--platform', '15_arm64', '--from', 'macos-15-vanilla', '--dry-run', '--runner-version', 'latest'], { cwd: dir });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    [
      'portfarm: image prepare needs valid recipe settings:',
      '  - --runner-version "latest": must be an actions/runner release like 2.330.0 (https://github.com/actions/runner/releases); pass --runner-version',
      "  - --runner-sha256 is required, e.g. --runner-sha256 <64 hex digits from the release's notes>",
      '  - --macports-version is required, e.g. --macports-version 2.11.5',
      '  - --mirror-url is required, e.g. --mirror-url http://mirror.local:8081/',
      '',
    ].join('\n'),
  );
  const unknown = await captureCli(['image', 'rollback', '--platform', '14_arm64'], { cwd: dir });
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'portfarm: platform "14_arm64" is not configured; known: 15_arm64, 10.15_x86_64 (see portfarm.config.yaml)\n');
  const noImage = await captureCli(['image', 'rollback', '--platform', '15_arm64'], { cwd: dir });
  assert.equal(noImage.stderr, 'portfarm: 15_arm64 has no earlier image to roll back to (current: none)\n');
  assert.equal(existsSync(join(dir, 'state')), false, 'a refused command creates no registry');
});

test('prepare without --dry-run on a libvirt platform says what is missing instead of pretending', async () => {
  const result = await captureCli(['image', 'prepare', '--platform', '10.15_x86_64', '--from', 'macos-10.15-vanilla', ...recipeFlags], { cwd: dir });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /image prepare runs on tart hosts so far; platform 10\.15_x86_64 uses backend libvirt/);
});

test('rollout, promote, rollback and list through the CLI, on the registry prepare writes', async () => {
  const store = openImageRegistryStore(join(dir, 'state', 'images.sqlite'));
  for (const v of [1, 2, 3]) store.apply('15_arm64', { kind: 'register', image: imageVersion(v, { runnerVersion: `2.33${v - 1}.0` }) });
  store.close();

  const canary = await captureCli(['image', 'rollout', '--platform', '15_arm64', '--image-version', 'v2', '--share', '10'], { cwd: dir });
  assert.equal(canary.code, 0, canary.stderr);
  assert.equal(canary.stdout.split('\n')[0], '15_arm64: current v1, canary v2 on 10% of new VMs');
  const promoted = await captureCli(['image', 'promote', '--platform', '15_arm64'], { cwd: dir });
  assert.equal(promoted.stdout.split('\n')[0], '15_arm64: current v2, rollback to v1');
  const busy = await captureCli(['image', 'rollout', '--platform', '15_arm64', '--image-version', '3', '--share', 'ten'], { cwd: dir });
  assert.equal(busy.stderr, 'portfarm: --share "ten" is not a whole number\n');

  const list = await captureCli(['image', 'list', '--platform', '15_arm64'], { cwd: dir });
  assert.equal(
    list.stdout,
    [
      '15_arm64: current v2, rollback to v1',
      '  v1  15_arm64-base@v1  runner 2.330.0  MacPorts 2.11.5  sealed 2026-11-01 00:00  rollback target',
      '  v2  15_arm64-base@v2  runner 2.331.0  MacPorts 2.11.5  sealed 2026-11-01 00:00  current',
      '  v3  15_arm64-base@v3  runner 2.332.0  MacPorts 2.11.5  sealed 2026-11-01 00:00  not rolled out yet',
      '',
    ].join('\n'),
  );
  const back = await captureCli(['image', 'rollback', '--platform', '15_arm64'], { cwd: dir });
  assert.equal(back.stdout.split('\n')[0], '15_arm64: current v1');
  const json = await captureCli(['image', 'list', '--platform', '15_arm64', '--json'], { cwd: dir });
  const parsed = JSON.parse(json.stdout) as { current: number; history: number[] }[];
  assert.deepEqual(parsed.map((p) => [p.current, p.history]), [[1, []]]);
});
