import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { CacheLayout } from '../../controller/caches/cache-layout.ts';
import { createCacheServer } from '../../controller/caches/cache-server.ts';
import { collectDistfiles } from '../../controller/caches/collect-distfiles.ts';
import { planQuarantineSweep, sweepQuarantine } from '../../controller/caches/quarantine-expiry.ts';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import type { RecordingVmBackend } from '../images/recording-vm-backend.ts';
import { distfilesVm } from './distfiles-vm.ts';

const dir = mkdtempSync(join(tmpdir(), 'portfarm-caches-'));
const layout: CacheLayout = { mirrorRoot: join(dir, 'mirror'), quarantineRoot: join(dir, 'quarantine') };
mkdirSync(join(layout.mirrorRoot, 'distfiles', 'curl'), { recursive: true });
mkdirSync(join(layout.mirrorRoot, 'packages', 'curl'), { recursive: true });
writeFileSync(join(layout.mirrorRoot, 'distfiles', 'curl', 'curl-8.17.0.tar.xz'), 'curl source');
writeFileSync(join(layout.mirrorRoot, 'packages', 'curl', 'curl-8.17.0_0.darwin_24.arm64.tbz2'), 'curl archive');
const rejections = new EventRejections({ registry: new Registry(), log: pino({ level: 'silent' }) });
const server = await createCacheServer({ layout, host: '127.0.0.1', port: 0, rejections });
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
const signal = new AbortController().signal;

function tree(root: string): string[] {
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
}

function buildVm(name: string, files: Record<string, string>): RecordingVmBackend {
  return distfilesVm(dir, name, files);
}

const deps = { server, layout, now: () => new Date('2026-11-26T06:00:00Z'), quarantineDays: 14, rejections };

test('builds read packages and distfiles from the mirror over HTTP, read-only', async () => {
  const archive = await fetch(`${server.url}packages/curl/curl-8.17.0_0.darwin_24.arm64.tbz2`);
  assert.equal(archive.status, 200);
  assert.equal(await archive.text(), 'curl archive');
  assert.equal((await fetch(`${server.url}distfiles/curl/curl-8.17.0.tar.xz`, { method: 'HEAD' })).headers.get('content-length'), '11');
  assert.equal((await fetch(`${server.url}distfiles/`)).status, 404, 'no listing');
  assert.equal((await fetch(`${server.url}distfiles/../packages/curl/x`)).status, 404);
  const put = await fetch(`${server.url}distfiles/curl/evil.tar.gz`, { method: 'PUT', body: 'x' });
  assert.equal(put.status, 405);
  assert.deepEqual(tree(join(layout.mirrorRoot, 'distfiles')), ['curl/curl-8.17.0.tar.xz']);
});

test("a PR build's fetched distfile lands in its quarantine folder and never in the mirror", async () => {
  const before = tree(layout.mirrorRoot);
  const vm = buildVm('portfarm-pr7-1-aaaa', { 'zstd/zstd-1.5.7.tar.gz': 'zstd from a PR', 'curl/curl-8.17.0.tar.xz': 'tampered curl' });
  const plan = await collectDistfiles({ vmId: 'portfarm-pr7-1-aaaa', buildId: 'pr7', kind: 'pr-builder', result: 'success', expected: undefined }, { ...deps, backend: vm }, signal);
  assert.equal(plan.destination, 'quarantine');
  assert.deepEqual(tree(layout.mirrorRoot), before, 'the mirror is untouched');
  assert.equal(readFileSync(join(layout.mirrorRoot, 'distfiles', 'curl', 'curl-8.17.0.tar.xz'), 'utf8'), 'curl source');
  assert.deepEqual(tree(join(layout.quarantineRoot, 'pr7')), ['.expires.json', 'curl/curl-8.17.0.tar.xz', 'zstd/zstd-1.5.7.tar.gz']);
  assert.deepEqual(JSON.parse(readFileSync(join(layout.quarantineRoot, 'pr7', '.expires.json'), 'utf8')), { buildId: 'pr7', expiresAt: '2026-12-10T06:00:00.000Z' });
  assert.equal(vm.calls.length, 2, 'one listing, one upload');
});

test('a grant cannot be steered: traversal is refused, a revoked grant is dead, mirror files are never replaced', async () => {
  const pr = server.grant({ kind: 'quarantine', buildId: 'pr8', expiresAt: '2026-12-10T06:00:00.000Z' });
  const escape = await fetch(`${pr.uploadUrl}..%2F..%2Fmirror%2Fdistfiles%2Fcurl%2Fx.tar.gz`, { method: 'PUT', body: 'x' });
  assert.equal(escape.status, 400);
  server.revoke(pr.token);
  assert.equal((await fetch(`${pr.uploadUrl}zstd/z.tar.gz`, { method: 'PUT', body: 'x' })).status, 403);
  // Even a grant whose checksums name other bytes than the mirror holds cannot replace them.
  const other = server.grant({ kind: 'mirror', buildId: 'b8', files: [{ path: 'curl/curl-8.17.0.tar.xz', size: 11, sha256: sha256('other bytes') }] });
  assert.equal((await fetch(`${other.uploadUrl}curl/curl-8.17.0.tar.xz`, { method: 'PUT', body: 'other bytes' })).status, 409);
  server.revoke(other.token);
  const master = server.grant({ kind: 'mirror', buildId: 'b8', files: [{ path: 'curl/curl-8.17.0.tar.xz', size: 11, sha256: sha256('curl source') }] });
  assert.equal((await fetch(`${master.uploadUrl}curl/curl-8.17.0.tar.xz`, { method: 'PUT', body: 'curl source' })).status, 200, 'a retried upload of the same bytes succeeds');
  server.revoke(master.token);
  assert.equal(readFileSync(join(layout.mirrorRoot, 'distfiles', 'curl', 'curl-8.17.0.tar.xz'), 'utf8'), 'curl source');
});

test('a successful master build adds its new distfiles to the mirror; a failed one adds nothing', async () => {
  const failed = buildVm('portfarm-b9-1-bbbb', { 'jq/jq-1.8.1.tar.gz': 'jq' });
  const none = await collectDistfiles({ vmId: 'portfarm-b9-1-bbbb', buildId: 'b9', kind: 'builder', result: 'failure', expected: { port: 'jq', distSubdir: 'jq', files: [{ name: 'jq-1.8.1.tar.gz', size: 2, sha256: sha256('jq') }] } }, { ...deps, backend: failed }, signal);
  assert.equal(none.destination, 'none');
  assert.equal(failed.calls.length, 1, 'listed, nothing uploaded');
  const vm = buildVm('portfarm-b10-1-cccc', { 'zstd/zstd-1.5.7.tar.gz': 'zstd' });
  const expected = { port: 'zstd', distSubdir: 'zstd', files: [{ name: 'zstd-1.5.7.tar.gz', size: 4, sha256: sha256('zstd') }] };
  const plan = await collectDistfiles({ vmId: 'portfarm-b10-1-cccc', buildId: 'b10', kind: 'builder', result: 'success', expected }, { ...deps, backend: vm }, signal);
  assert.deepEqual(plan.destination === 'mirror' ? plan.files.map((f) => f.path) : [], ['zstd/zstd-1.5.7.tar.gz']);
  assert.deepEqual(tree(join(layout.mirrorRoot, 'distfiles')), ['curl/curl-8.17.0.tar.xz', 'zstd/zstd-1.5.7.tar.gz']);
  assert.equal((await fetch(`${server.url}distfiles/zstd/zstd-1.5.7.tar.gz`)).status, 200, 'the next build reads it over HTTP');
});

test('expired quarantine folders are swept; fresh ones stay', () => {
  assert.deepEqual(
    planQuarantineSweep(
      [
        { buildId: 'pr1', expiresAt: '2026-11-20T00:00:00Z' },
        { buildId: 'pr2', expiresAt: '2026-12-20T00:00:00Z' },
        { buildId: 'pr3', expiresAt: null },
      ],
      new Date('2026-11-26T00:00:00Z'),
    ),
    ['pr1', 'pr3'],
  );
  const removed = sweepQuarantine(layout, new Date('2026-12-11T00:00:00Z'));
  assert.deepEqual(removed, ['pr7', 'pr8']);
  assert.deepEqual(readdirSync(layout.quarantineRoot), []);
  assert.ok(existsSync(join(layout.mirrorRoot, 'distfiles', 'zstd', 'zstd-1.5.7.tar.gz')), 'the sweep never touches the mirror');
});
