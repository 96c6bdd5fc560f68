import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listFetchedDistfilesArgv, uploadDistfilesArgv } from '../../controller/caches/distfile-collection-commands.ts';
import { DEFAULT_QUARANTINE_BUDGET } from '../../controller/caches/quarantine-budget.ts';
import { planDistfileCollection, type DistfileCollectionInput } from '../../controller/caches/plan-distfile-collection.ts';

const ZSTD_SHA = 'eb33e51f49a15e023950cd7825ca74a4a2b43db8354825ac24fc1b7ee09e6fa3';
const zstd = { path: 'zstd/zstd-1.5.7.tar.gz', size: 2_703_572, sha256: ZSTD_SHA };

const base: DistfileCollectionInput = {
  buildId: 'b42',
  kind: 'builder',
  result: 'success',
  fetched: ['zstd/zstd-1.5.7.tar.gz', 'curl/curl-8.17.0.tar.xz'],
  inMirror: new Set(['curl/curl-8.17.0.tar.xz']),
  expected: { port: 'zstd', distSubdir: 'zstd', files: [{ name: 'zstd-1.5.7.tar.gz', size: 2_703_572, sha256: ZSTD_SHA }] },
  now: new Date('2026-11-26T06:00:00Z'),
  quarantineDays: 14,
  quarantineBudget: DEFAULT_QUARANTINE_BUDGET,
};

test('a successful master build adds only its own port\'s checksummed distfiles the mirror lacks, each with its size and sha256', () => {
  assert.deepEqual(planDistfileCollection(base), {
    destination: 'mirror',
    files: [zstd],
    reason: 'successful master build of zstd: 1 new distfile(s) for the mirror',
    rejected: [{ path: 'curl/curl-8.17.0.tar.xz', reason: 'foreign-subdir' }],
  });
  const again = planDistfileCollection({ ...base, inMirror: new Set(['zstd/zstd-1.5.7.tar.gz']) });
  assert.equal(again.destination, 'none');
  assert.equal(again.reason, 'the mirror already has every distfile of zstd the build fetched');
});

test('a master build whose checksums the controller does not know adds nothing to the mirror', () => {
  const plan = planDistfileCollection({ ...base, expected: undefined });
  assert.equal(plan.destination, 'none');
  assert.equal(plan.reason, "the port's checksums are not known to the controller: nothing from this build goes to the mirror");
});

test('a dist_subdir of two levels (`${name}/${version}`) is the port\'s folder; its unchecksummed files are unplanned', () => {
  const plan = planDistfileCollection({
    ...base,
    fetched: ['rust/1.91.0/rustc-1.91.0-src.tar.gz', 'rust/1.91.0/extra.tar.gz', 'rust/1.90.0/rustc-1.90.0-src.tar.gz'],
    expected: { port: 'rust', distSubdir: 'rust/1.91.0', files: [{ name: 'rustc-1.91.0-src.tar.gz', size: 10, sha256: ZSTD_SHA }] },
  });
  assert.deepEqual(plan.destination === 'mirror' ? plan.files.map((f) => f.path) : [], ['rust/1.91.0/rustc-1.91.0-src.tar.gz']);
  assert.deepEqual(plan.rejected, [
    { path: 'rust/1.90.0/rustc-1.90.0-src.tar.gz', reason: 'foreign-subdir' },
    { path: 'rust/1.91.0/extra.tar.gz', reason: 'unplanned' },
  ]);
});

test('a PR build never reaches the mirror: its files go to quarantine with an expiry, even when it succeeded', () => {
  for (const kind of ['pr-builder', 'pr-watcher'] as const) {
    for (const result of ['success', 'failure'] as const) {
      const plan = planDistfileCollection({ ...base, kind, result });
      assert.deepEqual(plan, {
        destination: 'quarantine',
        buildId: 'b42',
        files: ['curl/curl-8.17.0.tar.xz', 'zstd/zstd-1.5.7.tar.gz'],
        expiresAt: '2026-12-10T06:00:00.000Z',
        reason: 'PR build: 2 distfile(s) quarantined until 2026-12-10, never the mirror',
        rejected: [],
      });
    }
  }
});

test('failed, cancelled and watcher builds keep nothing; paths the VM made up are rejected', () => {
  assert.equal(planDistfileCollection({ ...base, result: 'failure' }).reason, 'the build ended failure: its distfiles are dropped with the VM');
  assert.equal(planDistfileCollection({ ...base, result: 'cancelled' }).destination, 'none');
  assert.equal(planDistfileCollection({ ...base, kind: 'watcher' }).destination, 'none');
  const sneaky = planDistfileCollection({ ...base, fetched: ['../../mirror/distfiles/evil.tar.gz', '/etc/passwd', 'a/./b', '.hidden', 'zstd/zstd-1.5.7.tar.gz'] });
  assert.deepEqual(sneaky, {
    destination: 'mirror',
    files: [zstd],
    reason: 'successful master build of zstd: 1 new distfile(s) for the mirror',
    rejected: ['../../mirror/distfiles/evil.tar.gz', '/etc/passwd', 'a/./b', '.hidden'].map((path) => ({ path, reason: 'unsafe-path' })),
  });
});

test('the exact commands run in the VM: list what the build fetched, upload each file under the grant', () => {
  assert.deepEqual(listFetchedDistfilesArgv(), [
    '/bin/sh',
    '-eu',
    '-c',
    "cd /opt/local/var/macports/distfiles && find . -type f -newer .portfarm-image-distfiles ! -name '.*' | sed 's|^\\./||' | sort",
  ]);
  assert.deepEqual(uploadDistfilesArgv(['zstd/zstd-1.5.7.tar.gz', "odd/it's.tgz"], 'http://10.0.0.5:8081/upload/t0k3n'), [
    '/bin/sh',
    '-eu',
    '-c',
    'rc=0; curl -fsS --retry 2 -T /opt/local/var/macports/distfiles/zstd/zstd-1.5.7.tar.gz http://10.0.0.5:8081/upload/t0k3n/zstd/zstd-1.5.7.tar.gz || rc=$?; ' +
      'if [ "$rc" -eq 22 ]; then echo \'refused by the cache server: zstd/zstd-1.5.7.tar.gz\' >&2; elif [ "$rc" -ne 0 ]; then exit "$rc"; fi\n' +
      "rc=0; curl -fsS --retry 2 -T '/opt/local/var/macports/distfiles/odd/it'\\''s.tgz' 'http://10.0.0.5:8081/upload/t0k3n/odd/it'\\''s.tgz' || rc=$?; " +
      "if [ \"$rc\" -eq 22 ]; then echo 'refused by the cache server: odd/it'\\''s.tgz' >&2; elif [ \"$rc\" -ne 0 ]; then exit \"$rc\"; fi",
  ]);
});
