import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { buildSite } from '../../site/build/build-site.ts';
import { parseEtaSnapshot } from '../../site/build/eta-snapshot.ts';
import { resolveLegacyUrl } from '../../site/lookup/resolve-legacy-url.ts';
import type { PendingView } from '../../site/lookup/describe-pending.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'site', 'ledger.ndjson');
const AS_OF = '2026-08-18T09:05:00.000Z';
const BUILT = new Date('2026-08-18T10:00:00.000Z');
const at = (minutes: number): string => new Date(Date.parse(AS_OF) + minutes * 60_000).toISOString();
const range = (low: number, mid: number, high: number) => ({ low: at(low), mid: at(mid), high: at(high) });
const build = (port: string, platform: string, extra: Record<string, unknown>) => ({ port, platform, buildId: `tst-${port}-${platform}`, state: 'pending', position: 1, ahead: 0, start: null, finish: null, basis: null, unknown: null, ...extra });

/** What the controller's GET /api/eta/snapshot answers: curl queued on one platform and building on another, a port never built, wget not at all. */
const SNAPSHOT = {
  v: 1,
  generatedAt: AS_OF,
  builds: [
    build('curl', '15_arm64', { position: 37, ahead: 37, finish: range(20, 35, 75), basis: 'port' }),
    build('curl', '10.15_x86_64', { state: 'started', position: 0, finish: range(-2, 4, 12), basis: 'port' }),
    build('brand-new', '15_arm64', { position: 2, unknown: 'not-selected' }),
    build('late', '15_arm64', { position: 900, finish: range(900, 24 * 60 + 15, 26 * 60), basis: 'similar-size' }),
  ],
};

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'portfarm-port-eta-'));
  copyFileSync(fixture, join(dir, 'ledger.ndjson'));
  writeFileSync(join(dir, 'eta.json'), JSON.stringify(SNAPSHOT));
});

async function portPage(site: string, port: string): Promise<{ readonly pending: PendingView; readonly latest: number } | string> {
  const readJson = async (path: string): Promise<unknown> => {
    try {
      return JSON.parse(await readFile(join(site, path), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  const resolution = await resolveLegacyUrl(`/ports/${port}/`, readJson, '/');
  if (resolution.kind === 'unknown') return resolution.reason;
  assert.equal(resolution.kind, 'port');
  return { pending: resolution.pending, latest: resolution.summary.latest.length };
}

const options = (out: string) => ({ ledgerPath: join(dir, 'ledger.ndjson'), outDir: join(dir, out), baseUrl: 'https://build.macports.org/', now: () => BUILT, onTornLine: () => undefined, onUnsafeUrl: () => undefined });

test('a port with pending builds shows each with its place and estimate as of the snapshot, and the link to the live answer', async () => {
  await buildSite({ ...options('with'), eta: { snapshot: parseEtaSnapshot(JSON.stringify(SNAPSHOT), 'test'), live: 'https://farm.example.org/api/eta/public' } });
  const site = join(dir, 'with');
  assert.deepEqual(await portPage(site, 'curl'), {
    latest: 3,
    pending: {
      heading: 'Queued or building as of 2026-08-18 09:05 UTC, with the estimate made then:',
      rows: [
        { platform: '10.15_x86_64', place: 'building', ready: 'around 09:09 UTC (09:03–09:17)' },
        { platform: '15_arm64', place: '37th in line', ready: 'around 09:40 UTC (09:25–10:20)' },
      ],
      live: 'https://farm.example.org/api/eta/public?port=curl',
    },
  });
  // A port the ledger never saw gets a page for its pending build; a day later carries its date.
  assert.deepEqual(await portPage(site, 'brand-new'), {
    latest: 0,
    pending: { heading: 'Queued or building as of 2026-08-18 09:05 UTC, with the estimate made then:', rows: [{ platform: '15_arm64', place: '2nd in line', ready: 'no estimate: waits for what it depends on' }], live: 'https://farm.example.org/api/eta/public?port=brand-new' },
  });
  const late = await portPage(site, 'late');
  assert.ok(typeof late !== 'string');
  assert.equal(late.pending.rows[0]?.ready, 'around 2026-08-19 09:20 UTC (2026-08-19 00:05–2026-08-19 11:05)');
  assert.deepEqual(await portPage(site, 'wget'), { latest: 1, pending: { heading: 'Nothing queued or building as of 2026-08-18 09:05 UTC.', rows: [], live: 'https://farm.example.org/api/eta/public?port=wget' } });
  // Only ports with pending builds carry the block: the others' summaries are as before.
  const buckets = readdirSync(join(site, 'map', '_ports')).map((f) => readFileSync(join(site, 'map', '_ports', f), 'utf8')).join('\n');
  assert.equal(buckets.split('"pending"').length - 1, 3);
});

test('without a snapshot the port page says no estimate is available as of the site build', async () => {
  const summary = await buildSite(options('without'));
  assert.equal(summary.ports, 4);
  assert.deepEqual(await portPage(join(dir, 'without'), 'curl'), {
    latest: 3,
    pending: { heading: "No estimate available as of 2026-08-18 10:00 UTC: this site was built without the controller's ETA snapshot.", rows: [] },
  });
  assert.equal(await portPage(join(dir, 'without'), 'brand-new'), 'no builds of port brand-new are recorded on this site');
});

test('the snapshot decides with the ledger whether the site is written again', async () => {
  const eta = { snapshot: parseEtaSnapshot(JSON.stringify(SNAPSHOT), 'test') };
  assert.notEqual((await buildSite({ ...options('again'), eta })).unchanged, true);
  assert.equal((await buildSite({ ...options('again'), eta })).unchanged, true, 'same ledger, same snapshot: nothing written');
  const newer = parseEtaSnapshot(JSON.stringify({ ...SNAPSHOT, generatedAt: at(10) }), 'test');
  assert.notEqual((await buildSite({ ...options('again'), eta: { snapshot: newer } })).unchanged, true, 'a newer snapshot: written again');
  assert.notEqual((await buildSite(options('again'))).unchanged, true, 'no snapshot any more: written again');
});

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${relative(root, join(e.parentPath, e.name))} ${String(statSync(join(e.parentPath, e.name)).mtimeMs)}`)
    .sort();
}

test('a hostile snapshot is refused naming the value, and the site is left as it was', async () => {
  const cli = (...extra: string[]) => captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'cli-site', ...extra], { cwd: dir });
  const first = await cli('--eta', 'eta.json', '--eta-live', 'https://farm.example.org/api/eta/public');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /^site build: ETA snapshot of 2026-08-18T09:05:00.000Z: 4 builds pending of 3 ports, live answer at https:\/\/farm.example.org\/api\/eta\/public\n/);
  const before = files(join(dir, 'cli-site'));
  const refused = async (snapshot: unknown, message: RegExp, ...extra: string[]): Promise<void> => {
    writeFileSync(join(dir, 'bad.json'), typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot));
    const result = await cli('--eta', 'bad.json', ...extra);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.deepEqual(files(join(dir, 'cli-site')), before, 'nothing written');
  };
  const one = (b: Record<string, unknown>) => ({ ...SNAPSHOT, builds: [...SNAPSHOT.builds, b] });
  await refused(one(build('../../etc/passwd', '15_arm64', {})), /--eta \S*bad.json: builds\[4\]\.port: port name "..\/..\/etc\/passwd" contains "\/"; give the port's name/);
  await refused(one(build('<script>alert(1)</script>', '15_arm64', {})), /builds\[4\]\.port: port name "<script>alert\(1\)<\/script>" contains "\/"/);
  await refused(one(build('<img', '15_arm64', {})), /builds\[4\]\.port: port name "<img" is not a MacPorts port name/);
  await refused(one(build('__proto__', '15_arm64', {})), /builds\[4\]\.port: port name "__proto__" is not a MacPorts port name/);
  await refused(one(build('zlib', '<b>15_arm64</b>', {})), /builds\[4\]\.platform: not a platform name/);
  await refused(one(build('zlib', '15_arm64', { finish: { low: at(9), mid: at(3), high: at(10) } })), /builds\[4\]\.finish: low, mid and high must be in that order/);
  await refused(one(build('curl', '15_arm64', {})), /port curl is listed twice on 15_arm64/);
  await refused('{"v":1,', /--eta \S*bad.json is not JSON/);
  await refused({ ...SNAPSHOT, v: 2 }, /--eta \S*bad.json: v: /);
  await refused(SNAPSHOT, /--eta-live "javascript:alert\(1\)" is not an http\(s\) address/, '--eta-live', 'javascript:alert(1)');
  const missing = await cli('--eta', 'nope.json');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--eta .*nope\.json: cannot read it \(ENOENT\)/);
});

test('--eta-url asks the controller with the status token, and links the public live answer beside it (the page\'s readers have no token)', async () => {
  const asked: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    asked.push(req.headers.authorization);
    if (req.headers.authorization !== 'Bearer sekrit') res.writeHead(401).end('{"error":"token"}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(SNAPSHOT));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/eta/snapshot`;
  try {
    const denied = await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'url-site', '--eta-url', url], { cwd: dir });
    assert.equal(denied.code, 2);
    assert.match(denied.stderr, /answered HTTP 401; set PORTFARM_STATUS_TOKEN to the controller's status token/);
    const result = await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'url-site', '--eta-url', url], { cwd: dir, env: { PORTFARM_STATUS_TOKEN: 'sekrit' } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(asked, [undefined, 'Bearer sekrit']);
    const page = await portPage(join(dir, 'url-site'), 'curl');
    assert.ok(typeof page !== 'string');
    assert.equal(page.pending.live, `${url.slice(0, -'/snapshot'.length)}/public?port=curl`);
  } finally {
    server.close();
  }
});
