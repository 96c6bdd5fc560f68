import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandBuild } from '../../site/lookup/expand-build.ts';
import { platformOf } from '../../site/lookup/platform-of.ts';
import { SITE_MAP_VERSION } from '../../site/lookup/site-map.ts';

// A shard leaves out the platform its builder's name says; the build page, its JSON and the port
// page get it back from the name.
test('a build without a platform of its own is of the platform its builder is named for; other builders name their own', () => {
  const rows: [string, string][] = [
    ['ports-10.15_x86_64-builder', '10.15_x86_64'],
    ['ports-15_arm64-watcher', '15_arm64'],
    ['base-10.6_i386', '10.6_i386'],
    ['buildports-mtln-x86_64', 'buildports-mtln-x86_64'],
    ['mirror', 'mirror'],
  ];
  for (const [builder, platform] of rows) {
    assert.equal(platformOf(builder), platform, builder);
    assert.equal(expandBuild({ v: SITE_MAP_VERSION, builder, shard: 0, builds: {} }, { url: '/b/1' }).platform, platform, builder);
  }
  assert.equal(expandBuild({ v: SITE_MAP_VERSION, builder: 'ports-15_arm64-builder', shard: 0, builds: {} }, { url: '/b/1', platform: '14_arm64' }).platform, '14_arm64');
});
