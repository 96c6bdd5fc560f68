import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyImageCommand } from '../../controller/images/apply-image-command.ts';
import { chooseVmImage } from '../../controller/images/choose-vm-image.ts';
import { collectImageGarbage } from '../../controller/images/collect-image-garbage.ts';
import { openImageRegistryStore } from '../../controller/images/image-registry-store.ts';
import { emptyPlatformImages } from '../../controller/images/image-registry.ts';
import { fakeTartHost } from './fake-tart-host.ts';
import { imageVersion } from './image-fixture.ts';

test('a new VM gets the configured image until a version is prepared, then the rollout choice', () => {
  assert.equal(chooseVmImage(emptyPlatformImages('15_arm64'), 'macos-15-base', 'b1'), 'macos-15-base');
  const one = applyImageCommand(emptyPlatformImages('15_arm64'), { kind: 'register', image: imageVersion(1) });
  assert.equal(chooseVmImage(one, 'macos-15-base', 'b1'), '15_arm64-base@v1');
});

test('GC deletes unused old versions on every host and forgets them; in-use and rollback images stay', async () => {
  const store = openImageRegistryStore(':memory:');
  for (const v of [1, 2, 3, 4]) store.apply('15_arm64', { kind: 'register', image: imageVersion(v) });
  store.apply('15_arm64', { kind: 'rollout', version: 3, sharePercent: 100 });
  store.apply('15_arm64', { kind: 'rollout', version: 4, sharePercent: 100 });
  const tart = fakeTartHost();
  for (const v of [1, 2, 3, 4]) tart.images.add(`15_arm64-base@v${v}`);
  const hosts = [
    { name: 'mac-mini-1', address: '10.0.0.21' },
    { name: 'mac-mini-2', address: '10.0.0.22' },
  ];
  const removed = await collectImageGarbage(
    { platform: '15_arm64', hosts, inUse: new Set(['15_arm64-base@v2']), imagesDir: '/unused', libvirtUri: 'qemu:///system' },
    { store, hostShell: tart.shell },
    new AbortController().signal,
  );
  assert.deepEqual(removed.map((v) => v.version), [1]);
  assert.deepEqual(tart.scripts, [
    '! tart get 15_arm64-base@v1 >/dev/null 2>&1',
    'tart delete 15_arm64-base@v1',
    '! tart get 15_arm64-base@v1 >/dev/null 2>&1',
    '! tart get 15_arm64-base@v1 >/dev/null 2>&1',
  ]);
  assert.deepEqual([...tart.images].sort(), ['15_arm64-base@v2', '15_arm64-base@v3', '15_arm64-base@v4']);
  assert.deepEqual(store.get('15_arm64').versions.map((v) => v.version), [2, 3, 4]);
  store.close();
});
