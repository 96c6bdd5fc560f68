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

test('a finish time is kept as milliseconds exactly when toISOString writes it back as it was', async () => {
  const { isIsoString } = await import('../../site/build/pack-shard.ts');
  const { seededRandom } = await import('../../controller/sim/seeded-random.ts');
  const rand = seededRandom(11);
  const asWritten = (text: string): boolean => {
    const ms = Date.parse(text);
    return !Number.isNaN(ms) && new Date(ms).toISOString() === text;
  };
  const fixed = ['2026-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'];
  const odd = ['2026-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-08-17T24:00:00.000Z', '2026-08-17T21:60:00.000Z', '2026-08-17T21:12:36Z', '2026-08-17T21:12:36.000+00:00', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2100-02-29T00:00:00.000Z', '2026-08-17 21:12:36.000Z', '+2026-08-17T21:12:36.000Z'];
  for (const text of fixed) assert.equal(isIsoString(text), true, text);
  for (const text of odd) assert.equal(isIsoString(text), asWritten(text), text);
  let accepted = 0;
  for (let i = 0; i < 50_000; i += 1) {
    let text = new Date(Math.floor(rand() * 253_402_300_799_999)).toISOString();
    // Mutate a character or a two-digit field; keep the times Date.parse reads (those are the ones the question is asked of).
    if (rand() < 0.5) {
      const at = Math.floor(rand() * 24);
      text = text.slice(0, at) + '0123456789-:TZ.+ '.charAt(Math.floor(rand() * 17)) + text.slice(at + 1);
    } else {
      const at = [5, 8, 11, 14, 17][Math.floor(rand() * 5)] ?? 5;
      text = text.slice(0, at) + String(Math.floor(rand() * 100)).padStart(2, '0') + text.slice(at + 2);
    }
    if (Number.isNaN(Date.parse(text))) continue;
    assert.equal(isIsoString(text), asWritten(text), text);
    if (isIsoString(text)) accepted += 1;
  }
  assert.ok(accepted > 10_000, `${accepted} mutated times were still toISOString's form`);
});
