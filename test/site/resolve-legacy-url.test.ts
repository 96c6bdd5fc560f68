// Where the router page sends a reader, on a site `site build` wrote: every kind of address the
// lookup answers, as the resolution the page renders (redirect target and note, JSON, port page,
// or the "not here" page with its reason, nearest builds and builder suggestions).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { buildSite } from '../../site/build/build-site.ts';
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import { resolveLegacyUrl, type NearBuild, type ReadSiteJson, type Resolution } from '../../site/lookup/resolve-legacy-url.ts';
import { SITE_MAP_VERSION, type PackedShard, type SiteIndex } from '../../site/lookup/site-map.ts';

const B = 'ports-15_arm64-builder';
const OTHER = 'ports-14_arm64-builder';
const ARCHIVE = 'https://archive.example.org/logs/';
const page = (id: string): string => `${ARCHIVE}${id}/index.html`;
const log = (id: string, step: string, name: string): string => `${ARCHIVE}${id}/${step}/${name}.txt.gz`;
const steps = (id: string): LedgerEntry['steps'] => [
  { name: 'install-dependencies', logs: [{ name: 'stdio', url: log(id, 'install-dependencies', 'stdio') }] },
  { name: 'install-port', logs: [{ name: 'stdio', url: log(id, 'install-port', 'stdio') }, { name: 'main.log', url: log(id, 'install-port', 'main.log') }] },
];

/** Builds 5, 6 and 7 in shard 0 and 2003 in shard 2 (no shard 1): the nearest builds of a number between come from a shard that exists. */
const LEDGER: LedgerEntry[] = [
  { builder: B, number: 5, port: 'curl', result: 'success', finishedAt: '2026-08-01T10:00:00.000Z', url: page('b-5'), steps: steps('b-5') },
  { builder: B, number: 6, port: 'zlib', result: 'failure', failedStep: 'install-port', finishedAt: '2026-08-01T11:00:00.000Z', url: page('b-6'), steps: steps('b-6') },
  { builder: B, number: 7, port: 'curl', url: page('b-7') },
  { builder: B, number: 2003, port: 'wget', result: 'success', url: page('b-8'), steps: [{ name: 'install-port', logs: [] }] },
  // An id not of the controller's <prefix>-<counter> form: found through the hashed id buckets.
  { builder: OTHER, number: 1, port: 'py313-numpy', url: page('pr-12-1'), steps: steps('pr-12-1') },
];

let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portfarm-resolve-'));
  writeFileSync(join(dir, 'ledger.ndjson'), LEDGER.map((e) => `${JSON.stringify(e)}\n`).join(''));
  await buildSite({
    ledgerPath: join(dir, 'ledger.ndjson'),
    outDir: join(dir, 'site'),
    baseUrl: 'https://build.example.org/portfarm/',
    logArchiveUrl: ARCHIVE,
    now: () => new Date('2026-08-02T00:00:00.000Z'),
    onTornLine: () => assert.fail('torn line'),
    onUnsafeUrl: (bad) => assert.fail(bad.problem),
  });
});

/** The site's files, some of them replaced (`undefined`: missing) the way an older or hand-edited site has them. */
function siteFiles(replaced: Readonly<Record<string, unknown>> = {}): ReadSiteJson {
  return async (path) => {
    if (Object.hasOwn(replaced, path)) return replaced[path];
    try {
      return JSON.parse(await readFile(join(dir, 'site', path), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
}

const resolve = (address: string, files: ReadSiteJson = siteFiles()): Promise<Resolution> => resolveLegacyUrl(address, files, '/portfarm/');

const notFound = (asked: string, reason: string, extra: Partial<Extract<Resolution, { kind: 'unknown' }>> = {}): Resolution => ({
  kind: 'unknown',
  asked,
  reason,
  nearest: [],
  builders: [],
  ...extra,
});

test('a build-id link with a step leads to that step’s first log, with a log to that log, names matched in any case', async () => {
  assert.deepEqual(await resolve('/portfarm/builds/b-5/steps/install-port'), { kind: 'redirect', location: log('b-5', 'install-port', 'stdio') });
  assert.deepEqual(await resolve('/portfarm/builds/b-5/steps/install-port/logs/main.log'), { kind: 'redirect', location: log('b-5', 'install-port', 'main.log') });
  assert.deepEqual(await resolve('/portfarm/builds/b-6/steps/Install-Port/logs/MAIN.LOG/text'), { kind: 'redirect', location: log('b-6', 'install-port', 'main.log') });
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1/steps/install-port/logs/main.log?x=1'), { kind: 'redirect', location: `${log('pr-12-1', 'install-port', 'main.log')}?x=1` });
  assert.deepEqual(await resolve('/portfarm/builds/b-5'), { kind: 'redirect', location: page('b-5') });
});

test('a build-id link is not found when the site keeps no ids, or its bucket is missing, or names a builder it does not list', async () => {
  const reason = (id: string): string => `no build with id ${id} is on this site yet (a build appears once it has finished and the site has been built again)`;
  const index = JSON.parse(await readFile(join(dir, 'site', 'map', '_index.json'), 'utf8')) as { idBuckets: number };
  assert.ok(index.idBuckets > 0);
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1', siteFiles({ 'map/_index.json': { ...index, idBuckets: 0 } })), notFound('/portfarm/builds/pr-12-1', reason('pr-12-1')));
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1', siteFiles({ 'map/_index.json': undefined })), notFound('/portfarm/builds/pr-12-1', reason('pr-12-1')));
  const buckets = Array.from({ length: index.idBuckets }, (_, i) => `map/_ids/${String(i)}.json`);
  const missing = Object.fromEntries(buckets.map((b) => [b, undefined]));
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1', siteFiles(missing)), notFound('/portfarm/builds/pr-12-1', reason('pr-12-1')));
  const otherVersion = Object.fromEntries(buckets.map((b) => [b, { v: SITE_MAP_VERSION - 1, builders: [OTHER], ids: { 'pr-12-1': [0, 1] } }]));
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1', siteFiles(otherVersion)), notFound('/portfarm/builds/pr-12-1', reason('pr-12-1')));
  const notThere = Object.fromEntries(buckets.map((b) => [b, { v: SITE_MAP_VERSION, builders: [OTHER], ids: { 'pr-13-1': [0, 1] } }]));
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1', siteFiles(notThere)), notFound('/portfarm/builds/pr-12-1', reason('pr-12-1')));
  const noSuchBuilder = Object.fromEntries(buckets.map((b) => [b, { v: SITE_MAP_VERSION, builders: [OTHER], ids: { 'pr-12-1': [1, 1] } }]));
  assert.deepEqual(await resolve('/portfarm/builds/pr-12-1', siteFiles(noSuchBuilder)), notFound('/portfarm/builds/pr-12-1', reason('pr-12-1')));
  // A counter id's run file of another version is not read.
  assert.deepEqual(await resolve('/portfarm/builds/b-5', siteFiles({ 'map/_ids/b/0.json': { v: SITE_MAP_VERSION - 1, builders: [B], b: [-1, -1, -1, -1, -1, 0], n: [0, 0, 0, 0, 0, 5] } })), notFound('/portfarm/builds/b-5', reason('b-5')));
});

test('a builder the site has goes to its page (query and fragment kept); one it lacks lists the builders meant', async () => {
  assert.deepEqual(await resolve(`/portfarm/builders/${B}?a=1#top`), { kind: 'redirect', location: `/portfarm/builders/${B}/?a=1#top` });
  assert.deepEqual(await resolve('/portfarm/builders/PORTS-14_ARM64-BUILDER/'), { kind: 'redirect', location: `/portfarm/builders/${OTHER}/` });
  // A renamed builder (11.0_* became 11_*) the site does not have either: every builder it has.
  assert.deepEqual(await resolve('/portfarm/builders/ports-11.0_arm64-builder'), notFound('/portfarm/builders/ports-11.0_arm64-builder', 'there is no builder ports-11.0_arm64-builder on this site', { builders: [OTHER, B] }));
  // Nothing like it: every builder the site has.
  assert.deepEqual(await resolve('/portfarm/builders/constructor/builds/1'), notFound('/portfarm/builders/constructor/builds/1', 'there is no builder constructor on this site', { builders: [OTHER, B] }));
  // The same platform: that builder only.
  assert.deepEqual(await resolve('/portfarm/builders/ports-15_arm64-watcher'), notFound('/portfarm/builders/ports-15_arm64-watcher', 'there is no builder ports-15_arm64-watcher on this site', { builders: [B] }));
  assert.deepEqual(await resolve('/portfarm/builders/ports-15_arm64-watcher/builds/-1'), notFound('/portfarm/builders/ports-15_arm64-watcher/builds/-1', 'there is no builder ports-15_arm64-watcher on this site', { builders: [B] }));
  assert.deepEqual(await resolve('/portfarm/builders/x', siteFiles({ 'map/_index.json': undefined })), notFound('/portfarm/builders/x', 'there is no builder x on this site'));
});

test('a step or log the build does not have goes to the build page, saying what was missing', async () => {
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/5/steps/install-port`), { kind: 'redirect', location: log('b-5', 'install-port', 'stdio') });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/5/steps/INSTALL-PORT/logs/Main.Log`), { kind: 'redirect', location: log('b-5', 'install-port', 'main.log') });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/5/steps/install-port/logs/files#f`), {
    kind: 'redirect',
    location: `${page('b-5')}#f`,
    note: `build 5 of ${B} has no log "files" in step "install-port"; going to the build page`,
  });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/5/steps/mirror/logs/stdio`), {
    kind: 'redirect',
    location: page('b-5'),
    note: `build 5 of ${B} has no step "mirror"; going to the build page`,
  });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/7/steps/install-port`), {
    kind: 'redirect',
    location: page('b-7'),
    note: `build 7 of ${B} has no step "install-port"; going to the build page`,
  });
  // A step without logs: the step-only address says so with an empty log name.
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/2003/steps/install-port`), {
    kind: 'redirect',
    location: page('b-8'),
    note: `build 2003 of ${B} has no log "" in step "install-port"; going to the build page`,
  });
});

test('step and log names are matched in any case, as the map has them; of two named alike, the first in the build is followed', async () => {
  const named: PackedShard = {
    v: SITE_MAP_VERSION,
    builder: B,
    shard: 0,
    url: '/b/{n}',
    runs: [9, 1],
    steps: [[
      { name: 'Mirror', logs: [{ name: 'StdIO', url: '/b/9/mirror/first.txt' }, { name: 'stdio', url: '/b/9/mirror/second.txt' }] },
      { name: 'MIRROR', logs: [{ name: 'stdio', url: '/b/9/mirror-again/stdio.txt' }] },
    ]],
  };
  const files = siteFiles({ [`map/${B}/0.json`]: named });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/9/steps/mirror/logs/stdio`, files), { kind: 'redirect', location: '/b/9/mirror/first.txt' });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/9/steps/mirror`, files), { kind: 'redirect', location: '/b/9/mirror/first.txt' });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/9/steps/Mirror/logs/STDIO`, files), { kind: 'redirect', location: '/b/9/mirror/first.txt' });
});

test('a negative number counts back from the latest build; past the first it names the first', async () => {
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/-1`), { kind: 'redirect', location: page('b-8') });
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/-1999/steps/install-port/logs/main.log`), { kind: 'redirect', location: log('b-5', 'install-port', 'main.log') });
  assert.deepEqual(
    await resolve(`/portfarm/builders/${B}/builds/-2000`),
    notFound(`/portfarm/builders/${B}/builds/-2000`, `${B} has 4 builds; build -2000 counts back past the first one (5)`, {
      nearest: [{ builder: B, number: 5, path: `/portfarm/builders/${B}/builds/5` }],
    }),
  );
  assert.deepEqual(await resolve('/portfarm/builders/ports-16_arm64-builder/builds/-1'), notFound('/portfarm/builders/ports-16_arm64-builder/builds/-1', 'there is no builder ports-16_arm64-builder on this site', { builders: [OTHER, B] }));
});

test('a build the site lacks lists the five nearest, in number order, from its shard or the closest shard that exists', async () => {
  const near = (number: number, port: string, result?: string): NearBuild => ({ builder: B, number, port, ...(result === undefined ? {} : { result }), path: `/portfarm/builders/${B}/builds/${String(number)}` });
  const reason = (n: number): string => `${B} has no build ${String(n)} on this site (it has 4 builds, numbered 5 to 2003)`;
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/4`), notFound(`/portfarm/builders/${B}/builds/4`, reason(4), { nearest: [near(5, 'curl', 'success'), near(6, 'zlib', 'failure'), near(7, 'curl')] }));
  // Shard 1 does not exist; shards 0 and 2 are as close: the lower one.
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/1500`), notFound(`/portfarm/builders/${B}/builds/1500`, reason(1500), { nearest: [near(5, 'curl', 'success'), near(6, 'zlib', 'failure'), near(7, 'curl')] }));
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/1200`), notFound(`/portfarm/builders/${B}/builds/1200`, reason(1200), { nearest: [near(5, 'curl', 'success'), near(6, 'zlib', 'failure'), near(7, 'curl')] }));
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/5000`), notFound(`/portfarm/builders/${B}/builds/5000`, reason(5000), { nearest: [near(2003, 'wget', 'success')] }));
  assert.deepEqual(await resolve(`/portfarm/json/builders/${B}/builds/2004`), notFound(`/portfarm/json/builders/${B}/builds/2004`, reason(2004), { nearest: [near(2003, 'wget', 'success')] }));
  // Of more than five, the closest five; of two as close (12 and 28), the lower number.
  const many = await resolve(`/portfarm/builders/${B}/builds/20`, siteFiles({ [`map/${B}/0.json`]: shardOf([10, 11, 12, 13, 14, 26, 27, 28, 30]) }));
  assert.deepEqual(many.kind === 'unknown' ? many.nearest.map((n) => n.number) : many, [12, 13, 14, 26, 27]);
  const tie = await resolve(`/portfarm/builders/${B}/builds/20`, siteFiles({ [`map/${B}/0.json`]: shardOf([14, 15, 16, 17, 18, 22, 23, 24]) }));
  assert.deepEqual(tie.kind === 'unknown' ? tie.nearest.map((n) => n.number) : tie, [16, 17, 18, 22, 23]);
  // A builder whose shards are all missing from the site: no nearest builds, the reason still says what it has.
  assert.deepEqual(await resolve(`/portfarm/builders/${B}/builds/4`, siteFiles({ [`map/${B}/0.json`]: undefined, [`map/${B}/2.json`]: undefined })), notFound(`/portfarm/builders/${B}/builds/4`, reason(4)));
});

/** A hand-made shard of B (0 unless told) holding `numbers` (no ports or results). */
function shardOf(numbers: readonly number[], shard = 0): PackedShard {
  const runs: number[] = [];
  let next = shard * 1000;
  for (const n of numbers) {
    runs.push(n - next, 1);
    next = n + 1;
  }
  return { v: SITE_MAP_VERSION, builder: B, shard, url: '/b/{n}', runs };
}

test('the nearest builds come from the shard that exists closest to the number asked; an index listing no shards gives none', async () => {
  const index = JSON.parse(await readFile(join(dir, 'site', 'map', '_index.json'), 'utf8')) as SiteIndex;
  const apart = siteFiles({
    'map/_index.json': { ...index, builders: { ...index.builders, [B]: { first: 3000, latest: 6001, count: 2, shards: [3, 6] } } },
    [`map/${B}/0.json`]: undefined,
    [`map/${B}/2.json`]: undefined,
    [`map/${B}/3.json`]: shardOf([3000], 3),
    [`map/${B}/6.json`]: shardOf([6001], 6),
  });
  const nearest = async (number: number, files: ReadSiteJson): Promise<unknown> => {
    const resolution = await resolve(`/portfarm/builders/${B}/builds/${String(number)}`, files);
    return resolution.kind === 'unknown' ? [resolution.reason, resolution.nearest.map((n) => n.number)] : resolution;
  };
  const has = (n: number): string => `${B} has no build ${String(n)} on this site (it has 2 builds, numbered 3000 to 6001)`;
  assert.deepEqual(await nearest(2500, apart), [has(2500), [3000]]);
  assert.deepEqual(await nearest(4500, apart), [has(4500), [3000]]);
  assert.deepEqual(await nearest(5500, apart), [has(5500), [6001]]);
  assert.deepEqual(await nearest(9999, apart), [has(9999), [6001]]);
  // An index edited by hand (or cut short) that lists the builder with no shards: no nearest builds, and no crash.
  const none = siteFiles({ 'map/_index.json': { ...index, builders: { ...index.builders, [B]: { first: 5, latest: 7, count: 3, shards: [] } } } });
  assert.deepEqual(await nearest(1500, none), [`${B} has no build 1500 on this site (it has 3 builds, numbered 5 to 7)`, []]);
  assert.deepEqual(await nearest(4, none), [`${B} has no build 4 on this site (it has 3 builds, numbered 5 to 7)`, [5, 6, 7]]);
});

test('the JSON of a build has its URLs on the site’s published address, or on a placeholder host when the index is gone', async () => {
  const json = await resolve(`/portfarm/json/builders/${B}/builds/6`);
  assert.ok(json.kind === 'json', json.kind);
  assert.equal(json.body.url, page('b-6'));
  assert.deepEqual(json.body.text, ['failed', 'install-port']);
  const relative = await resolve(`/portfarm/json/builders/${B}/builds/1`, siteFiles({ 'map/_index.json': undefined, [`map/${B}/0.json`]: { ...shardOf([1]), url: 'logs/{n}/' } }));
  assert.equal(relative.kind === 'json' ? relative.body.url : relative.kind, 'http://site.invalid/portfarm/logs/1/');
  const published = await resolve(`/portfarm/json/builders/${B}/builds/1`, siteFiles({ [`map/${B}/0.json`]: { ...shardOf([1]), url: 'logs/{n}/' } }));
  assert.equal(published.kind === 'json' ? published.body.url : published.kind, 'https://build.example.org/portfarm/logs/1/');
});

test('a map that records an off-site address (written before the ledger refused them) is not followed, and the reason names the first', async () => {
  const hostile: PackedShard = {
    v: SITE_MAP_VERSION,
    builder: B,
    shard: 0,
    url: '//evil.example/{n}',
    runs: [9, 1],
    steps: [[{ name: 'install-port', logs: [{ name: 'stdio', url: 'javascript:alert(1)' }] }]],
  };
  const files = siteFiles({ [`map/${B}/0.json`]: hostile });
  for (const address of [`/portfarm/builders/${B}/builds/9`, `/portfarm/builders/${B}/builds/9/steps/install-port/logs/stdio`]) {
    assert.deepEqual(
      await resolve(address, files),
      notFound(address, `build 9 of ${B} records an address that could lead off this site ("//evil.example/9"); it is not followed`),
    );
  }
  const logOnly = siteFiles({ [`map/${B}/0.json`]: { ...hostile, url: '/b/{n}' } });
  assert.deepEqual(
    await resolve(`/portfarm/builders/${B}/builds/9`, logOnly),
    notFound(`/portfarm/builders/${B}/builds/9`, `build 9 of ${B} records an address that could lead off this site ("javascript:alert(1)"); it is not followed`),
  );
});

test('a port page is found in its file; another case redirects to the port’s own name; an unknown port says so', async () => {
  const curl = await resolve('/portfarm/ports/curl/');
  assert.ok(curl.kind === 'port', curl.kind);
  assert.deepEqual([curl.port, curl.summary.recent.map((b) => b.number)], ['curl', [7, 5]]);
  assert.deepEqual(await resolve('/portfarm/ports/CURL/?x#y'), { kind: 'redirect', location: '/portfarm/ports/curl/?x#y' });
  assert.deepEqual(await resolve('/portfarm/ports/Py313-NumPy'), { kind: 'redirect', location: '/portfarm/ports/py313-numpy/' });
  assert.deepEqual(await resolve('/portfarm/ports/nope/'), notFound('/portfarm/ports/nope/', 'no builds of port nope are recorded on this site', { port: 'nope' }));
  assert.deepEqual(await resolve('/portfarm/ports/curl/', siteFiles({ 'map/_index.json': undefined })), notFound('/portfarm/ports/curl/', 'no builds of port curl are recorded on this site', { port: 'curl' }));
  const index = JSON.parse(await readFile(join(dir, 'site', 'map', '_index.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(await resolve('/portfarm/ports/curl/', siteFiles({ 'map/_index.json': { ...index, ports: 0 } })), notFound('/portfarm/ports/curl/', 'no builds of port curl are recorded on this site', { port: 'curl' }));
  const older = { 'map/_ports/curl.json': { v: SITE_MAP_VERSION - 1, ports: { curl: { latest: [], recent: [] } } } };
  assert.deepEqual(await resolve('/portfarm/ports/curl/', siteFiles(older)), notFound('/portfarm/ports/curl/', 'no builds of port curl are recorded on this site', { port: 'curl' }));
});

test('a port asked in another case goes to the port as the site names it (the first of two named alike)', async () => {
  const summary = { latest: [], recent: [] };
  const files = siteFiles({ 'map/_ports/graphicsmagick.json': { v: SITE_MAP_VERSION, ports: { GraphicsMagick: summary, graphicsMAGICK: summary } } });
  assert.deepEqual(await resolve('/portfarm/ports/graphicsmagick/', files), { kind: 'redirect', location: '/portfarm/ports/GraphicsMagick/' });
  assert.deepEqual(await resolve('/portfarm/ports/GRAPHICSMAGICK/', files), { kind: 'redirect', location: '/portfarm/ports/GraphicsMagick/' });
  assert.equal((await resolve('/portfarm/ports/graphicsMAGICK/', files)).kind, 'port');
});

test('the home page carries the index, and no index (an older site version) when it is of another version', async () => {
  const home = await resolve('/portfarm/');
  assert.equal(home.kind === 'home' ? home.index?.builds : home.kind, 5);
  const index = JSON.parse(await readFile(join(dir, 'site', 'map', '_index.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(await resolve('/portfarm/index.html', siteFiles({ 'map/_index.json': { ...index, v: SITE_MAP_VERSION + 1 } })), { kind: 'home', index: undefined });
  assert.deepEqual(await resolve('/portfarm/', siteFiles({ 'map/_index.json': null })), { kind: 'home', index: undefined });
  assert.deepEqual(await resolve('/portfarm/builders'), { kind: 'redirect', location: '/portfarm/builders/' });
  assert.deepEqual(await resolve('/portfarm/about'), notFound('/portfarm/about', 'it is not a build-log address; they look like /builders/<builder>/builds/<number>[/steps/<step>/logs/<log>]'));
});
