import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { collectDistfiles } from '../../controller/caches/collect-distfiles.ts';
import { DEFAULT_CACHES } from '../../controller/config/config-schema.ts';
import { createOnVmTeardown } from '../../controller/flows/on-vm-teardown.ts';
import { startBuildCache } from '../../controller/serve/start-build-cache.ts';
import { distfilesVm } from '../caches/distfiles-vm.ts';
import { attackedCacheServer } from './attacked-cache-server.ts';

// Attack: a pull request's job runs as root on a farm VM (that is what a PR build is). Its
// distfiles go to the build's quarantine folder on the mirror host, and the VM names them: so
// the PR can "fetch" ten thousand files or a 100 GB sparse file, or, while the collection runs,
// use the upload grant in curl's argv to PUT without end. Each PR build's quarantine holds
// at most its budget (bytes and files); past it the upload is refused before it is stored,
// counted as `quarantine-over-budget` and logged once for the build.

const { dir, layout, logged, rejections, server } = await attackedCacheServer('portfarm-quarantine-attack-');
const signal = new AbortController().signal;
const expiresAt = '2026-12-10T06:00:00.000Z';

/** Bytes stored under a build's quarantine folder (its expiry note aside) and how many files. */
function stored(buildId: string): { readonly files: number; readonly bytes: number } {
  const root = join(layout.quarantineRoot, buildId);
  if (!existsSync(root)) return { files: 0, bytes: 0 };
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name !== '.expires.json');
  return { files: files.length, bytes: files.reduce((sum, d) => sum + statSync(join(d.parentPath, d.name)).size, 0) };
}

/** A PUT as the VM's own code could send it; `declare: false` streams it chunked, without a length. */
function put(url: string, bytes: number, declare = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: declare ? { 'content-length': bytes } : { 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close a refused upload before the client finished sending it.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(0);
      else reject(error);
    });
    req.end(Buffer.alloc(bytes, 0x61));
  });
}

const budget = { maxBytes: 10_000, maxFiles: 5 };
const overBudget = (buildId: string) => logged.filter((l) => l.reason === 'quarantine-over-budget' && l.buildId === buildId);

test('a PR build that "fetched" more files than its budget gets only the budget into quarantine, refused once in the log', async () => {
  const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`evil/file-${String(i).padStart(2, '0')}.tar.gz`, 'x'.repeat(100)]));
  const vmId = 'portfarm-pr-9-1-1-aaaa';
  const before = await rejections.count('quarantine-over-budget');
  const plan = await collectDistfiles(
    { vmId, buildId: 'pr-9-1-1', kind: 'pr-builder', result: 'success', expected: undefined },
    { backend: distfilesVm(dir, vmId, files), server, layout, now: () => new Date('2026-11-26T06:00:00Z'), quarantineDays: 14, quarantineBudget: budget, rejections },
    signal,
  );
  assert.equal(plan.destination, 'quarantine');
  assert.equal(plan.files.length, 5);
  assert.deepEqual(stored('pr-9-1-1'), { files: 5, bytes: 500 });
  assert.equal((await rejections.count('quarantine-over-budget')) - before, 1, 'counted once for the build, not once per file');
  assert.equal(overBudget('pr-9-1-1').length, 1);
  assert.match(String(overBudget('pr-9-1-1')[0]?.why), /7 of 12 distfiles .* at most 5 files/);
});

test('with the grant in hand, the VM cannot store more bytes or files than the budget: declared, chunked, or in parallel', async () => {
  const grant = server.grant({ kind: 'quarantine', buildId: 'pr-10-1-1', expiresAt, budget });
  try {
    assert.equal(await put(`${grant.uploadUrl}big/declared.tar.gz`, 50_000), 413, 'a declared length over the budget is refused before a byte is read');
    assert.equal(await put(`${grant.uploadUrl}big/chunked.tar.gz`, 50_000, false), 413, 'a chunked stream is cut off at the budget');
    assert.deepEqual(stored('pr-10-1-1'), { files: 0, bytes: 0 }, 'nothing half-written is left');
    assert.equal(await put(`${grant.uploadUrl}a/one.tar.gz`, 6_000), 201);
    assert.equal(await put(`${grant.uploadUrl}a/two.tar.gz`, 6_000, false), 413, 'the budget is for the build, not per file');
    assert.equal(await put(`${grant.uploadUrl}a/two.tar.gz`, 4_000), 201, 'what is left of the budget may still be used');
    assert.equal(await put(`${grant.uploadUrl}a/three.tar.gz`, 1), 413, 'the budget is spent');
    assert.deepEqual(stored('pr-10-1-1'), { files: 2, bytes: 10_000 });
  } finally {
    server.revoke(grant.token);
  }
  const small = server.grant({ kind: 'quarantine', buildId: 'pr-11-1-1', expiresAt, budget });
  try {
    for (let i = 0; i < 5; i += 1) assert.equal(await put(`${small.uploadUrl}f/${String(i)}.tar.gz`, 1), 201);
    assert.equal(await put(`${small.uploadUrl}f/5.tar.gz`, 1), 413, 'the sixth file is one too many');
    // Ten uploads at once, each under the budget alone: together they must not pass it.
    const parallel = server.grant({ kind: 'quarantine', buildId: 'pr-12-1-1', expiresAt, budget });
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => put(`${parallel.uploadUrl}p/${String(i)}.tar.gz`, 3_000)));
      assert.ok(answers.filter((s) => s === 201).length <= 3, `at most 3 of 3,000 bytes fit in 10,000: ${answers.join(' ')}`);
      assert.ok(stored('pr-12-1-1').bytes <= budget.maxBytes, `stored ${String(stored('pr-12-1-1').bytes)} bytes`);
      const refusedAtOnce = answers.filter((status) => status === 429).length;
      assert.equal(logged.filter((l) => l.reason === 'quarantine-concurrent-upload' && l.buildId === 'pr-12-1-1').length, refusedAtOnce > 0 ? 1 : 0, 'an upload refused for another in progress is told apart, once');
    } finally {
      server.revoke(parallel.token);
    }
  } finally {
    server.revoke(small.token);
  }
  assert.deepEqual(stored('pr-11-1-1'), { files: 5, bytes: 5 });
  assert.equal(overBudget('pr-10-1-1').length, 1, 'logged once per build');
  assert.ok((await rejections.count('quarantine-over-budget')) >= 5);
});

test('without a budget given, a quarantine grant still has one (the config default: 20 GiB, 1,000 files)', async () => {
  const grant = server.grant({ kind: 'quarantine', buildId: 'pr-13-1-1', expiresAt });
  try {
    assert.equal(await put(`${grant.uploadUrl}huge/sparse.tar.gz`, 0), 201);
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request(`${grant.uploadUrl}huge/declared.tar.gz`, { method: 'PUT', headers: { 'content-length': String(21 * 1024 ** 3) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(declared, 413, 'a 21 GiB declared upload is refused from its headers');
  } finally {
    server.revoke(grant.token);
  }
});

test('serve\'s cache takes the budget from caches.quarantineMaxGiB and quarantineMaxFiles, and the teardown collection keeps to it', async () => {
  const caches = { ...DEFAULT_CACHES, mirrorDir: join(dir, 'serve-mirror'), quarantineDir: join(dir, 'serve-quarantine'), server: { host: '127.0.0.1', port: 0 }, quarantineMaxGiB: 0.5, quarantineMaxFiles: 2 };
  const cache = await startBuildCache(caches, rejections);
  assert.ok(cache !== null);
  try {
    assert.deepEqual(cache.quarantineBudget, { maxBytes: 0.5 * 1024 ** 3, maxFiles: 2 });
    // Wired as start-controller.ts wires it: the cache spread into the teardown flow.
    const teardown = createOnVmTeardown({ reorder: { describeBuild: () => undefined }, ...cache, quarantineDays: 14, distfileChecksums: () => undefined, rejections, log: pino({ level: 'silent' }), now: () => new Date('2026-11-26T06:00:00Z') });
    const vmId = 'portfarm-pr-14-1-1-aaaa';
    const backend = distfilesVm(dir, vmId, { 'a/1.tar.gz': '1', 'a/2.tar.gz': '2', 'a/3.tar.gz': '3' });
    await teardown({ buildId: 'pr-14-1-1', platform: '15_arm64', vmId, backend, conclusion: 'success' }, signal);
    const kept = readdirSync(join(caches.quarantineDir, 'pr-14-1-1', 'a')).sort();
    assert.deepEqual(kept, ['1.tar.gz', '2.tar.gz']);
  } finally {
    await cache.server.close();
  }
});
