import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createImageRecipe } from '../../controller/images/create-image-recipe.ts';
import { ImageStepError } from '../../controller/images/image-step-error.ts';
import { openImageRegistryStore } from '../../controller/images/image-registry-store.ts';
import { prepareImage, type PrepareImageDeps, type PrepareImageRequest } from '../../controller/images/prepare-image.ts';
import { prepareProgressPath } from '../../controller/images/prepare-progress.ts';
import { stepArgv } from '../../controller/images/recipe-step.ts';
import { fakeTartHost } from './fake-tart-host.ts';
import { recipeSettings } from './recipe-fixture.ts';
import { RecordingVmBackend } from './recording-vm-backend.ts';
import { simulatedMac } from './simulated-mac.ts';

const dir = mkdtempSync(join(tmpdir(), 'portfarm-prepare-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const signal = new AbortController().signal;
const host = { name: 'mac-mini-1', address: '10.0.0.21' };
const settings = recipeSettings();
const steps = createImageRecipe(settings);
const request: PrepareImageRequest = { settings, backendName: 'tart', host, from: { kind: 'image', name: 'macos-15-vanilla' }, imagesDir: '/unused', libvirtUri: 'qemu:///system' };

function world(failures?: Map<string, number>): { backend: RecordingVmBackend; done: Set<string> } {
  const mac = simulatedMac(steps, {
    done: ['xcode-tools'],
    ...(failures === undefined ? {} : { failures }),
    extra: (_vm, argv) => {
      if (argv.join(' ') === 'cat /Users/runner/actions-runner/.portfarm-runner-version') {
        return { exitCode: 0, stdout: mac.done.has('actions-runner') ? '2.330.0\n' : '', stderr: '' };
      }
      if (argv.join(' ') === 'sudo -n /bin/sync') return { exitCode: 0, stdout: '', stderr: '' };
      return { exitCode: 127, stdout: '', stderr: 'unknown' };
    },
  });
  return { backend: new RecordingVmBackend(mac.handler), done: mac.done };
}

function deps(name: string, backend: RecordingVmBackend, tart: ReturnType<typeof fakeTartHost>, events: string[]): PrepareImageDeps {
  return {
    backend,
    hostShell: tart.shell,
    store: openImageRegistryStore(join(dir, name, 'images.sqlite')),
    progressPath: prepareProgressPath(join(dir, name), '15_arm64'),
    now: () => new Date('2026-11-26T06:00:00Z'),
    bootTimeoutMs: 600_000,
    onEvent: (line) => events.push(line),
  };
}

test('prepare from an image: clone, boot, recipe, verify, seal, register as v1 (current), destroy the preparation VM', async () => {
  const { backend } = world();
  const tart = fakeTartHost();
  const events: string[] = [];
  const d = deps('fresh', backend, tart, events);
  const image = await prepareImage(request, d, signal);

  const vm = 'imageprep-15_arm64-v1';
  const recipeCalls = steps.flatMap((s) =>
    s.id === 'xcode-tools' || s.apply === null ? [s.check] : [s.check, s.apply, s.check],
  ).map((script) => `exec ${vm} ${stepArgv(script).join(' ')}`);
  assert.deepEqual(backend.calls, [
    `clone macos-15-vanilla ${vm} on mac-mini-1`,
    `start ${vm}`,
    `waitReachable ${vm}`,
    ...recipeCalls,
    `exec ${vm} cat /Users/runner/actions-runner/.portfarm-runner-version`,
    `exec ${vm} sudo -n /bin/sync`,
    `destroy ${vm}`,
  ]);
  assert.deepEqual(tart.scripts, ['tart get 15_arm64-base@v1 >/dev/null 2>&1', `tart stop ${vm}\ntart clone ${vm} 15_arm64-base@v1`, 'tart get 15_arm64-base@v1 >/dev/null 2>&1']);
  assert.deepEqual(image, {
    platform: '15_arm64',
    version: 1,
    image: '15_arm64-base@v1',
    backend: 'tart',
    runnerVersion: '2.330.0',
    macportsVersion: '2.11.5',
    createdAt: '2026-11-26T06:00:00.000Z',
    preparedFrom: 'image:macos-15-vanilla',
  });
  const state = d.store.get('15_arm64');
  assert.deepEqual({ current: state.current, next: state.nextVersion }, { current: 1, next: 2 });
  assert.equal(existsSync(d.progressPath), false, 'a finished preparation leaves no progress file');
  assert.equal(events[0], `preparing 15_arm64-base@v1 in VM ${vm} on mac-mini-1 (from image:macos-15-vanilla)`);
  assert.equal(events.at(-1), '15_arm64-base@v1 sealed: current (first image of the platform); runner 2.330.0, MacPorts 2.11.5');
  assert.ok(events.includes('[ 7/10] actions-runner   applied  GitHub Actions runner 2.330.0 unpacked in /Users/runner/actions-runner, not registered'));
  d.store.close();
});

test('a failed preparation persists its progress; the rerun resumes in the same VM without cloning again', async () => {
  const { backend } = world(new Map([['macports-prefix', 1]]));
  const tart = fakeTartHost();
  const events: string[] = [];
  const d = deps('resume', backend, tart, events);
  await assert.rejects(prepareImage(request, d, signal), (e: unknown) => e instanceof ImageStepError && e.stepId === 'macports-prefix' && e.retryable);
  const saved = JSON.parse(readFileSync(d.progressPath, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(
    { version: saved['version'], vmId: saved['vmId'], phase: saved['phase'], cloned: saved['cloned'], steps: saved['steps'] },
    {
      version: 1,
      vmId: 'imageprep-15_arm64-v1',
      phase: 'recipe',
      cloned: true,
      steps: {
        'xcode-tools': 'skipped',
        'tools-macports': 'applied',
        'tools-git': 'applied',
        'tools-mpbb': 'applied',
        'runner-user': 'applied',
        'runner-sudoers': 'applied',
        'actions-runner': 'applied',
        'macports-prefix': 'failed',
      },
    },
  );
  assert.deepEqual(tart.scripts, []);

  backend.calls.length = 0;
  const image = await prepareImage(request, d, signal);
  assert.equal(image.version, 1);
  assert.equal(backend.calls.filter((c) => c.startsWith('clone')).length, 0, 'no second clone');
  assert.equal(backend.calls[0], 'waitReachable imageprep-15_arm64-v1', 'the still-running VM is reused without a restart');
  assert.equal(backend.calls.filter((c) => c.startsWith('start')).length, 0);
  assert.ok(events.includes('resuming 15_arm64 v1 (phase recipe, 8 steps recorded)'));
  d.store.close();
});

test('the next preparation becomes v2, registered but not rolled out; a resume with another --from is refused', async () => {
  const tart = fakeTartHost();
  const events: string[] = [];
  const first = world();
  const d = deps('second', first.backend, tart, events);
  await prepareImage(request, d, signal);
  const second = world();
  const image = await prepareImage(request, { ...d, backend: second.backend }, signal);
  assert.equal(image.image, '15_arm64-base@v2');
  assert.deepEqual({ current: d.store.get('15_arm64').current, versions: d.store.get('15_arm64').versions.map((v) => v.version) }, { current: 1, versions: [1, 2] });
  assert.equal(events.at(-1), '15_arm64-base@v2 sealed: registered; current stays v1; runner 2.330.0, MacPorts 2.11.5');

  const failing = world(new Map([['tools-git', 1]]));
  await assert.rejects(prepareImage(request, { ...d, backend: failing.backend }, signal));
  await assert.rejects(prepareImage({ ...request, from: { kind: 'vm', name: 'my-mac' } }, { ...d, backend: failing.backend }, signal), (e: unknown) => {
    assert.ok(e instanceof ImageStepError);
    assert.match(e.message, /an unfinished preparation of 15_arm64 v3 from image:macos-15-vanilla exists .*; rerun with --from image:macos-15-vanilla to finish it/);
    return true;
  });
  d.store.close();
});
