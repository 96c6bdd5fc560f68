import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandBuild } from '../../site/lookup/expand-build.ts';
import { SITE_MAP_VERSION, type MapShard, type StoredBuild } from '../../site/lookup/site-map.ts';

// A build as the build page, its JSON and the port page get it back from a shard's short form.
const shard: MapShard = {
  v: SITE_MAP_VERSION,
  builder: 'ports-15_arm64-builder',
  shard: 0,
  prefix: 'https://logs.example.org/',
  stepSets: [[{ name: 'install-port', logs: [{ name: 'stdio', url: 'install-port.log' }] }]],
  revisions: ['70b44a41', 'abc12345'],
  builds: {},
};
const expand = (build: StoredBuild): unknown => expandBuild(shard, build);

test('the watcher: a number is the platform\'s watcher, a pair names another builder, none is none', () => {
  assert.deepEqual(expand({ url: 'b/1/', watcher: 40 }), { platform: '15_arm64', watcher: { builder: 'ports-15_arm64-watcher', number: 40 }, url: 'https://logs.example.org/b/1/' });
  assert.deepEqual(expand({ url: 'b/1/', platform: '14_ARM64', watcher: 7 }), { platform: '14_ARM64', watcher: { builder: 'ports-14_arm64-watcher', number: 7 }, url: 'https://logs.example.org/b/1/' });
  assert.deepEqual(expand({ url: 'b/1/', watcher: ['ports-14_arm64-watcher', 7] }), { platform: '15_arm64', watcher: { builder: 'ports-14_arm64-watcher', number: 7 }, url: 'https://logs.example.org/b/1/' });
  assert.deepEqual(expand({ url: 'b/1/' }), { platform: '15_arm64', url: 'https://logs.example.org/b/1/' });
});

test('the start is the finish less the seconds it took; without either, or with a finish that does not parse, there is none', () => {
  assert.deepEqual(expand({ url: 'b/1/', finishedAt: '2026-01-01T00:10:00.000Z', took: 61.5 }), { finishedAt: '2026-01-01T00:10:00.000Z', platform: '15_arm64', startedAt: '2026-01-01T00:08:58.500Z', url: 'https://logs.example.org/b/1/' });
  assert.deepEqual(expand({ url: 'b/1/', finishedAt: '2026-01-01T00:10:00.000Z' }), { finishedAt: '2026-01-01T00:10:00.000Z', platform: '15_arm64', url: 'https://logs.example.org/b/1/' });
  assert.deepEqual(expand({ url: 'b/1/', took: 61 }), { platform: '15_arm64', url: 'https://logs.example.org/b/1/' });
  assert.deepEqual(expand({ url: 'b/1/', finishedAt: 'yesterday', took: 61 }), { finishedAt: 'yesterday', platform: '15_arm64', url: 'https://logs.example.org/b/1/' });
});

test('the commit and the steps: a revision index and a shared step list relative to the build page\'s folder', () => {
  assert.deepEqual(expand({ url: 'b/1/index.html', revision: 1, steps: 0 }), {
    platform: '15_arm64',
    revision: 'abc12345',
    url: 'https://logs.example.org/b/1/index.html',
    steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: 'https://logs.example.org/b/1/install-port.log' }] }],
  });
  assert.deepEqual(expand({ url: 'b/1/', revision: 5, steps: 3 }), { platform: '15_arm64', url: 'https://logs.example.org/b/1/', steps: [] });
});
