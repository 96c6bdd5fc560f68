import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { collectDistfiles } from '../../controller/caches/collect-distfiles.ts';
import type { PortDistfiles } from '../../controller/caches/expected-distfile.ts';
import type { RecordingVmBackend } from '../images/recording-vm-backend.ts';
import { distfilesVm } from '../caches/distfiles-vm.ts';
import { attackedCacheServer } from './attacked-cache-server.ts';

// Attack: a master build's code (an upstream configure script, a compromised tarball) runs as
// root in the VM and can write anything under its distfiles folder, and while the VM uploads it
// holds the grant URL. Whatever it does, only the built port's own distfiles, byte for byte as
// its Portfile's checksums say, may enter the public mirror; stored files are never replaced,
// so one poisoned name would fail every later build of that port.

const { dir, layout, logged, rejections, server } = await attackedCacheServer('portfarm-mirror-attack-', (folders) => {
  mkdirSync(join(folders.mirrorRoot, 'distfiles', 'curl'), { recursive: true });
  writeFileSync(join(folders.mirrorRoot, 'distfiles', 'curl', 'curl-8.17.0.tar.xz'), 'curl source');
});
const signal = new AbortController().signal;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const ZSTD = 'zstd 1.5.7 source, as released';
const zstd: PortDistfiles = { port: 'zstd', distSubdir: 'zstd', files: [{ name: 'zstd-1.5.7.tar.gz', size: ZSTD.length, sha256: sha256(ZSTD) }] };

function mirrorTree(): string[] {
  const root = join(layout.mirrorRoot, 'distfiles');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
}

function buildVm(name: string, files: Record<string, string>): RecordingVmBackend {
  return distfilesVm(dir, name, files);
}

async function collect(buildId: string, files: Record<string, string>, expected: PortDistfiles | undefined) {
  const vmId = `portfarm-${buildId}-1-aaaa`;
  return collectDistfiles(
    { vmId, buildId, kind: 'builder', result: 'success', expected },
    { backend: buildVm(vmId, files), server, layout, now: () => new Date('2026-11-26T06:00:00Z'), quarantineDays: 14, rejections },
    signal,
  );
}

/** What the operator sees for a build: each refusal's reason and file, and why. */
const seen = (buildId: string) => logged.filter((l) => l.buildId === buildId).map((l) => ({ reason: l.reason, file: l.file, why: l.why }));

test('a file in another port\'s subfolder never reaches the mirror, even from a successful build; its own distfile does', async () => {
  const before = await rejections.count('mirror-foreign-subdir');
  const plan = await collect('b1', { 'zstd/zstd-1.5.7.tar.gz': ZSTD, 'curl/curl-8.18.0.tar.xz': 'poison for curl\'s next version' }, zstd);
  assert.equal(plan.destination, 'mirror');
  assert.deepEqual(mirrorTree(), ['curl/curl-8.17.0.tar.xz', 'zstd/zstd-1.5.7.tar.gz']);
  assert.equal(readFileSync(join(layout.mirrorRoot, 'distfiles', 'zstd', 'zstd-1.5.7.tar.gz'), 'utf8'), ZSTD);
  assert.equal((await rejections.count('mirror-foreign-subdir')) - before, 1);
  assert.deepEqual(seen('b1'), [{ reason: 'mirror-foreign-subdir', file: 'curl/curl-8.18.0.tar.xz', why: undefined }]);
  rmSync(join(layout.mirrorRoot, 'distfiles', 'zstd'), { recursive: true });
});

test('a distfile of the wrong size or the wrong sha256 is refused by the server: the mirror is unchanged, nothing half-written', async () => {
  const longer = `${ZSTD} plus a backdoor`;
  const wrongSize = await collect('b2', { 'zstd/zstd-1.5.7.tar.gz': longer }, zstd);
  assert.equal(wrongSize.destination, 'mirror', 'the name is planned; the bytes decide');
  const sameSize = ZSTD.replace('source', 'SOURCE');
  assert.equal(sameSize.length, ZSTD.length);
  await collect('b3', { 'zstd/zstd-1.5.7.tar.gz': sameSize }, zstd);
  assert.deepEqual(mirrorTree(), ['curl/curl-8.17.0.tar.xz'], 'no file, no .part left behind');
  assert.deepEqual(seen('b2'), [{ reason: 'mirror-size-mismatch', file: 'zstd/zstd-1.5.7.tar.gz', why: `zstd/zstd-1.5.7.tar.gz is ${longer.length} bytes, its checksums say ${ZSTD.length}; nothing stored` }]);
  assert.deepEqual(seen('b3'), [{ reason: 'mirror-digest-mismatch', file: 'zstd/zstd-1.5.7.tar.gz', why: `zstd/zstd-1.5.7.tar.gz: sha256 ${sha256(sameSize)}, its checksums say ${sha256(ZSTD)}; nothing stored` }]);
  // The name is not burnt: the genuine file still gets in later.
  await collect('b4', { 'zstd/zstd-1.5.7.tar.gz': ZSTD }, zstd);
  assert.deepEqual(mirrorTree(), ['curl/curl-8.17.0.tar.xz', 'zstd/zstd-1.5.7.tar.gz']);
  rmSync(join(layout.mirrorRoot, 'distfiles', 'zstd'), { recursive: true });
});

test('files the checksums do not name, paths the VM made up, and a build whose checksums are unknown add nothing', async () => {
  await collect('b5', { 'zstd/zstd-1.5.8.tar.gz': 'a version the Portfile does not name', 'zstd/x y.tar.gz': 'odd name' }, zstd);
  assert.deepEqual(mirrorTree(), ['curl/curl-8.17.0.tar.xz']);
  assert.deepEqual(seen('b5').map((s) => [s.reason, s.file]), [['mirror-unsafe-path', 'zstd/x y.tar.gz'], ['mirror-unplanned-file', 'zstd/zstd-1.5.8.tar.gz']]);
  const unknown = await collect('b6', { 'zstd/zstd-1.5.7.tar.gz': ZSTD }, undefined);
  assert.equal(unknown.destination, 'none');
  assert.deepEqual(mirrorTree(), ['curl/curl-8.17.0.tar.xz']);
});

/** A PUT under a live grant, as the VM could send it by hand; `chunked` sends no content-length. */
function put(url: string, body: string, chunked = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('while the VM holds the grant it can store nothing but the planned bytes: other names, traversal, oversize streams are refused', async () => {
  const grant = server.grant({ kind: 'mirror', buildId: 'b7', files: [{ path: 'zstd/zstd-1.5.7.tar.gz', size: ZSTD.length, sha256: sha256(ZSTD) }] });
  try {
    assert.equal(await put(`${grant.uploadUrl}curl/curl-8.18.0.tar.xz`, 'poison'), 403);
    assert.equal(await put(`${grant.uploadUrl}zstd/zstd-1.5.8.tar.gz`, 'poison'), 403);
    assert.equal(await put(`${grant.uploadUrl}..%2F..%2Fpackages%2Fx.tbz2`, 'poison'), 400);
    assert.equal(await put(`${grant.uploadUrl}%2Fetc%2Fpasswd`, 'poison'), 400);
    assert.equal(await put(`${grant.uploadUrl}zstd/zstd-1.5.7.tar.gz`, ZSTD.repeat(1000), true), 400, 'a stream longer than planned is cut off');
    assert.deepEqual(mirrorTree(), ['curl/curl-8.17.0.tar.xz']);
    assert.equal(existsSync(join(layout.mirrorRoot, 'packages')), false);
    assert.deepEqual(seen('b7').map((s) => [s.reason, s.file]), [
      ['mirror-unplanned-file', 'curl/curl-8.18.0.tar.xz'],
      ['mirror-unplanned-file', 'zstd/zstd-1.5.8.tar.gz'],
      ['mirror-unsafe-path', '../../packages/x.tbz2'],
      ['mirror-unsafe-path', '/etc/passwd'],
      ['mirror-size-mismatch', 'zstd/zstd-1.5.7.tar.gz'],
    ]);
    assert.equal(await put(`${grant.uploadUrl}zstd/zstd-1.5.7.tar.gz`, ZSTD, true), 201, 'the planned bytes, even chunked, are stored');
  } finally {
    server.revoke(grant.token);
  }
  assert.equal(await put(`${grant.uploadUrl}zstd/zstd-1.5.7.tar.gz`, ZSTD), 403, 'a revoked grant stores nothing');
  assert.ok((await rejections.count('upload-unknown-grant')) >= 1);
});
