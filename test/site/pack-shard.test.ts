// The stored shard is columns (site/build/pack-shard.ts); the lookup reads them back
// (site/lookup/unpack-shard.ts). Every field of every build must come back exactly, whatever the
// ledger held, and the common case must cost a few bytes a build.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packShard } from '../../site/build/pack-shard.ts';
import { SITE_MAP_VERSION, type MapShard, type StoredBuild } from '../../site/lookup/site-map.ts';
import { unpackShard } from '../../site/lookup/unpack-shard.ts';

const B = 'ports-15_arm64-builder';

function shardOf(builds: Record<string, StoredBuild>, extra: Partial<MapShard> = {}): MapShard {
  return { v: SITE_MAP_VERSION, builder: B, shard: 3, prefix: 'https://logs.example.org/', builds, ...extra };
}

test('every field comes back as it went in: gaps in the numbers, odd times, other watchers, URLs off the template, mixed steps', () => {
  const builds: Record<string, StoredBuild> = {
    3000: { port: 'curl', result: 'success', finishedAt: '2026-01-01T00:00:00.123Z', took: 61.123, watcher: 40, revision: 0, url: `${B}/3000/`, steps: 0 },
    3001: { port: 'wget', result: 'failure', finishedAt: '2026-01-01T00:05:00.000Z', took: 0, watcher: 38, failedStep: 'install-port', revision: 1, url: `${B}/3001/`, steps: 0 },
    // No port, result, time or watcher: a legacy import.
    3002: { url: `${B}/3002/` },
    // A gap, then a time as some old ledger wrote it, another platform's watcher, an absolute step list.
    3010: { port: 'zlib', platform: '14_arm64', result: 'cancelled', finishedAt: '2026-01-01T01:00:00Z', watcher: ['ports-14_arm64-watcher', 7], url: 'elsewhere/x', steps: [{ name: 'run', logs: [{ name: 'stdio', url: 'y.log' }] }] },
    // A time that does not parse stays as written; the watcher counts on from 38.
    3011: { port: 'a{n}b', finishedAt: 'yesterday', watcher: 39, url: `${B}/3011/{n}`, steps: 1 },
    // The number twice in the URL: the template holds it once, this one is stored.
    3999: { result: 'success', finishedAt: '2025-12-31T23:00:00.000Z', url: `${B}/3999/3999.html` },
  };
  const shard = shardOf(builds, { stepSets: [[{ name: 'install-port', logs: [{ name: 'stdio', url: 'install-port.log' }] }], []], revisions: ['abc', 'def'] });
  const packed = packShard(shard);
  assert.equal(packed.url, `${B}/{n}/`);
  assert.deepEqual(packed.runs, [0, 3, 7, 2, 987, 1]);
  assert.deepEqual(unpackShard(JSON.parse(JSON.stringify(packed)) as typeof packed), shard);
});

test('builds that all follow the template and share one step list store no URL and no step index', () => {
  const builds: Record<string, StoredBuild> = {};
  let at = Date.parse('2026-03-01T00:00:00.000Z');
  for (let n = 3000; n < 4000; n += 1) {
    at += 45_000;
    builds[n] = { port: `py313-port${n % 97}`, result: n % 7 === 0 ? 'failure' : 'success', finishedAt: new Date(at).toISOString(), took: 300, watcher: 100 + Math.floor((n - 3000) / 50), revision: 0, url: `${B}/${n}/`, steps: 0 };
  }
  const shard = shardOf(builds, { stepSets: [[]], revisions: ['abc'] });
  const packed = packShard(shard);
  assert.equal(packed.urls, undefined);
  assert.equal(packed.steps, 0);
  assert.deepEqual(unpackShard(packed), shard);
  const bytes = Buffer.byteLength(JSON.stringify(packed));
  // Columns, not objects with keys: the port name and about 15 bytes more a build (it was ~160).
  const portBytes = Object.values(builds).reduce((sum, b) => sum + (b.port?.length ?? 0) + 3, 0);
  assert.ok(bytes - portBytes < 1000 * 16, `${bytes - portBytes} bytes beside the port names`);
});

test('a shard without a prefix, step sets or revisions reads back without them, not with them undefined', () => {
  const bare: MapShard = { v: SITE_MAP_VERSION, builder: B, shard: 3, builds: { 3000: { url: 'a/3000/' }, 3001: { url: 'b/x' } } };
  const read = unpackShard(packShard(bare));
  assert.deepEqual(read, bare);
  assert.deepEqual(Object.keys(read), ['v', 'builder', 'shard', 'builds']);
});

test('a shard with no builds, and a stored shard cut short, read back as empty', () => {
  assert.deepEqual(unpackShard(packShard(shardOf({}))), shardOf({}));
  assert.deepEqual(unpackShard({ v: SITE_MAP_VERSION, builder: B, shard: 3 } as unknown as ReturnType<typeof packShard>).builds, {});
});

test("the controller's archive pages (<id>/index.html, no number in them) store the id only", () => {
  const builds: Record<string, StoredBuild> = {};
  for (let n = 3000; n < 3100; n += 1) builds[n] = { url: `b${(n * 7919).toString(36)}-x/index.html`, steps: 0 };
  builds[3100] = { url: 'odd/page' };
  const shard = shardOf(builds, { prefix: '/logs/', stepSets: [[]] });
  const packed = packShard(shard);
  assert.equal(packed.urlsEnd, undefined, 'odd/page shares no end with the rest');
  const regular = packShard(shardOf(Object.fromEntries(Object.entries(builds).filter(([n]) => n !== '3100')), { prefix: '/logs/', stepSets: [[]] }));
  assert.equal(regular.urlsEnd, '-x/index.html');
  assert.equal(regular.urls?.['0'], `b${(3000 * 7919).toString(36)}`);
  assert.deepEqual(unpackShard(packed), shard);
  assert.deepEqual(unpackShard(regular).builds['3099'], builds[3099]);
});
