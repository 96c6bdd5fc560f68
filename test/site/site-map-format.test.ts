// The compact map format (shared step lists, common prefixes) and the port history columns must
// give back exactly what the ledger said: these tests build small sites and read them back
// through the lookup the router page and `site resolve` share.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSite } from '../../site/build/build-site.ts';
import { resolveInSite } from '../../site/build/resolve-in-site.ts';
import { readLedger } from '../../site/ledger/read-ledger.ts';
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import { SITE_MAP_VERSION, type PackedShard, type PortFile } from '../../site/lookup/site-map.ts';
import { unpackShard } from '../../site/lookup/unpack-shard.ts';
import { stableLogUrl } from '../../site/lookup/stable-log-url.ts';

const SITE_BASE = 'https://build.example.org';

const B = 'ports-15_arm64-builder';

async function site(entries: readonly LedgerEntry[], logArchiveUrl?: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-site-format-'));
  writeFileSync(join(dir, 'ledger.ndjson'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  await buildSite({
    ledgerPath: join(dir, 'ledger.ndjson'),
    outDir: join(dir, 'site'),
    baseUrl: 'https://build.example.org/',
    logArchiveUrl,
    onTornLine: () => assert.fail('torn line'),
    onUnsafeUrl: (bad) => assert.fail(bad.problem),
  });
  return join(dir, 'site');
}

test('every log URL comes back as the ledger had it, whether its steps are shared, absolute or mixed', async () => {
  const steps = (n: number): LedgerEntry['steps'] => [
    { name: 'install-port', logs: [{ name: 'stdio', url: `${B}/${n}/install-port.log` }] },
    { name: 'gather-archives', logs: [{ name: 'stdio', url: `${B}/${n}/gather.log` }] },
  ];
  const entries: LedgerEntry[] = [
    // Same step list relative to the build page: stored once.
    { builder: B, number: 10, url: `${B}/10/`, steps: steps(10) },
    { builder: B, number: 11, url: `${B}/11/`, steps: steps(11) },
    // A log elsewhere (absolute, another host): stored in full.
    { builder: B, number: 12, url: `${B}/12/`, steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: 'https://other.example.org/12.txt' }] }] },
    // No steps; empty step list; a step without logs.
    { builder: B, number: 13, url: `${B}/13/` },
    { builder: B, number: 14, url: `${B}/14/`, steps: [] },
    { builder: B, number: 15, url: `${B}/15/`, steps: [{ name: 'install-port', logs: [] }, { name: 'mirror', logs: [{ name: 'stdio', url: `${B}/15/mirror.log` }] }] },
    // A build of shard 1, then shard 0 again (an import out of order): the shard is read back and rewritten.
    { builder: B, number: 1000, url: `${B}/1000/`, steps: steps(1000) },
    { builder: B, number: 16, url: `${B}/16/`, steps: steps(16) },
  ];
  const dir = await site(entries, 'https://archive.example.org/logs/');
  const shard = unpackShard(JSON.parse(readFileSync(join(dir, 'map', B, '0.json'), 'utf8')) as PackedShard);
  assert.equal(shard.stepSets?.length, 3, 'builds 10, 11 and 16 share one list; 14 and 15 have their own');
  assert.equal(shard.builds['10']?.steps, shard.builds['16']?.steps);
  for (const e of entries) {
    const page = await resolveInSite(dir, `/builders/${B}/builds/${e.number}`);
    assert.equal(page.output, `https://archive.example.org/logs/${e.url}`);
    for (const st of e.steps ?? []) {
      for (const l of st.logs) {
        const log = await resolveInSite(dir, `/builders/${B}/builds/${e.number}/steps/${st.name}/logs/${l.name}`);
        assert.equal(log.output, l.url.startsWith('https:') ? l.url : `https://archive.example.org/logs/${l.url}`, `${e.number} ${st.name}`);
      }
    }
  }
  // The JSON answer lists the steps in order, with their full URLs.
  const json = JSON.parse((await resolveInSite(dir, `/json/builders/${B}/builds/15`)).output) as { steps: { name: string; logs: [string, string][] }[] };
  assert.deepEqual(json.steps, [
    { name: 'install-port', logs: [] },
    { name: 'mirror', logs: [['stdio', `https://archive.example.org/logs/${B}/15/mirror.log`]] },
  ]);
});

test("the controller's archive layout (<id>/index.html, logs beside it) shares one step list and stores only the ids", async () => {
  const entries: LedgerEntry[] = [20, 21, 22].map((n) => ({
    builder: B,
    number: n,
    url: `logs/id-${n}x/index.html`,
    steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: `logs/id-${n}x/install-port/stdio.txt.gz` }, { name: 'files', url: `logs/id-${n}x/install-port/files.txt.gz` }] }],
  }));
  const dir = await site(entries);
  const stored = JSON.parse(readFileSync(join(dir, 'map', B, '0.json'), 'utf8')) as PackedShard;
  assert.equal(stored.stepSets?.length, 1, JSON.stringify(stored));
  assert.equal(stored.steps, 0);
  // The ids' common start is the shard's prefix, their common end `urlsEnd`: a digit a build is left.
  assert.deepEqual([stored.prefix, stored.urls, stored.urlsEnd], ['/logs/id-2', { 0: '0', 1: '1', 2: '2' }, 'x/index.html']);
  for (const e of entries) {
    for (const l of e.steps?.[0]?.logs ?? []) {
      assert.equal((await resolveInSite(dir, `/builders/${B}/builds/${e.number}/steps/install-port/logs/${l.name}`)).output, `https://build.example.org/${l.url}`);
    }
    assert.equal((await resolveInSite(dir, `/builders/${B}/builds/${e.number}`)).output, `https://build.example.org/${e.url}`);
  }
});

test('a port page has the latest build per platform and the last ten builds, times as written', async () => {
  const entries: LedgerEntry[] = [];
  for (let n = 0; n < 14; n += 1) {
    entries.push({ builder: B, number: n, port: 'curl', result: n % 2 === 0 ? 'success' : 'failure', finishedAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`, url: `/logs/${n}/` });
  }
  // Finished earlier than build 13 though appended later (offset time): not the latest of 15_arm64.
  entries.push({ builder: B, number: 14, port: 'curl', result: 'cancelled', finishedAt: '2026-01-01T01:00:00+02:00', url: '/logs/14/' });
  entries.push({ builder: 'ports-10.6_i386-builder', number: 3, port: 'curl', url: '/logs/i386/3/' });
  const dir = await site(entries);
  const bucket = JSON.parse(readFileSync(join(dir, 'map', '_ports', 'curl.json'), 'utf8')) as PortFile;
  const curl = bucket.ports.curl;
  assert.ok(curl !== undefined, 'curl has a port page');
  assert.deepEqual(curl.latest, [
    { builder: 'ports-10.6_i386-builder', number: 3, platform: '10.6_i386' },
    { builder: B, number: 13, platform: '15_arm64', result: 'failure', finishedAt: '2026-01-01T00:00:13.000Z' },
  ]);
  assert.deepEqual(
    curl.recent.map((b) => b.number),
    [3, 14, 13, 12, 11, 10, 9, 8, 7, 6],
  );
  assert.equal(curl.recent[1]?.finishedAt, '2026-01-01T01:00:00+02:00');
});

test('the reader splits lines right where a chunk boundary falls inside a multi-byte character', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-ledger-utf8-'));
  const entries: LedgerEntry[] = [];
  // About 2.5 MB of lines full of two- and three-byte characters: several 1 MiB chunk boundaries fall inside them.
  for (let n = 0; n < 12_000; n += 1) entries.push({ builder: B, number: n, url: `https://logs.example.org/é€/${'ü'.repeat(n % 97)}/${n}/` });
  writeFileSync(join(dir, 'ledger.ndjson'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  let n = 0;
  for await (const { entry, line } of readLedger(join(dir, 'ledger.ndjson'), { onTornLine: () => assert.fail('torn') })) {
    assert.equal(line, n + 1);
    assert.equal(entry.url, entries[n]?.url);
    n += 1;
  }
  assert.equal(n, entries.length);
});

test('the action’s /builds/<build id>/… links resolve to the build the ledger numbered', async () => {
  const page = (id: string): string => `https://archive.example.org/logs/${id}/index.html`;
  const dir = await site(
    [
      { builder: B, number: 3, url: page('b-1'), steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: 'https://archive.example.org/logs/b-1/stdio.txt.gz' }] }] },
      // Not an archive build page (another folder below it): no id.
      { builder: B, number: 4, url: 'https://archive.example.org/logs/b-2/x/index.html' },
      // Another builder's id in the same bucket: the bucket names each builder once and the id its index.
      { builder: 'ports-14_arm64-builder', number: 7, url: page('c-1') },
      { builder: B, number: 5, url: page('b-3') },
      // Ids not in the controller's <prefix>-<counter> form are kept by hash.
      { builder: 'ports-14_arm64-builder', number: 9, url: page('pr-12-1') },
      { builder: B, number: 6, url: page('b-0a') },
    ],
    'https://archive.example.org/logs',
  );
  assert.equal((await resolveInSite(dir, stableLogUrl(SITE_BASE, 'b-1', 'install-port').slice(SITE_BASE.length))).output, 'https://archive.example.org/logs/b-1/stdio.txt.gz');
  assert.equal((await resolveInSite(dir, '/builds/B-1/?q=1')).output, `${page('b-1')}?q=1`);
  await assert.rejects(resolveInSite(dir, '/builds/b-2/steps/install-port/logs/stdio'), /no build with id b-2 is on this site yet/);
  assert.equal((await resolveInSite(dir, '/builds/c-1/steps/install-port/logs/stdio')).output, page('c-1'));
  assert.equal((await resolveInSite(dir, '/builds/b-3')).output, page('b-3'));
  assert.equal((await resolveInSite(dir, '/builds/pr-12-1')).output, page('pr-12-1'));
  assert.equal((await resolveInSite(dir, '/builds/b-0a')).output, page('b-0a'));
  await assert.rejects(resolveInSite(dir, '/builds/b-2'), /no build with id b-2 is on this site yet/);
  await assert.rejects(resolveInSite(dir, '/builds/b-4'), /no build with id b-4 is on this site yet/);
  await assert.rejects(resolveInSite(dir, '/builds/b-a'), /no build with id b-a is on this site yet/);
  const read = (path: string): unknown => JSON.parse(readFileSync(join(dir, 'map', '_ids', path), 'utf8'));
  // Counters 1 and 3 of prefix b (2 has no build): builder index per counter, number as a step from the builder's last.
  assert.deepEqual(read('b/0.json'), { v: SITE_MAP_VERSION, builders: [B], b: [-1, 0, -1, 0], n: [0, 3, 0, 2] });
  assert.deepEqual(read('c/0.json'), { v: SITE_MAP_VERSION, builders: ['ports-14_arm64-builder'], b: [-1, 0], n: [0, 7] });
  // Ids sorted, builders in the order of their first id: a bucket is the same whatever order the ledger added its ids in.
  assert.deepEqual(read('0.json'), { v: SITE_MAP_VERSION, builders: [B, 'ports-14_arm64-builder'], ids: { 'b-0a': [0, 6], 'pr-12-1': [1, 9] } });
  await assert.rejects(resolveInSite(dir, '/builds/no_such!id'), /is not a build id/);
});
