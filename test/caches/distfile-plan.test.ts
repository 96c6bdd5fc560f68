import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listFetchedDistfilesArgv, uploadDistfilesArgv } from '../../controller/caches/distfile-collection-commands.ts';
import { planDistfileCollection, type DistfileCollectionInput } from '../../controller/caches/plan-distfile-collection.ts';

const base: DistfileCollectionInput = {
  buildId: 'b42',
  kind: 'builder',
  result: 'success',
  fetched: ['zstd/zstd-1.5.7.tar.gz', 'curl/curl-8.17.0.tar.xz'],
  inMirror: new Set(['curl/curl-8.17.0.tar.xz']),
  now: new Date('2026-11-26T06:00:00Z'),
  quarantineDays: 14,
};

test('a successful master build adds only what the mirror lacks', () => {
  assert.deepEqual(planDistfileCollection(base), {
    destination: 'mirror',
    files: ['zstd/zstd-1.5.7.tar.gz'],
    reason: 'successful master build: 1 new distfile(s) for the mirror',
    rejected: [],
  });
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
  const sneaky = planDistfileCollection({ ...base, fetched: ['../../mirror/distfiles/evil.tar.gz', '/etc/passwd', 'a/./b', '.hidden', 'ok/ok-1.tar.gz'] });
  assert.deepEqual(sneaky, {
    destination: 'mirror',
    files: ['ok/ok-1.tar.gz'],
    reason: 'successful master build: 1 new distfile(s) for the mirror',
    rejected: ['../../mirror/distfiles/evil.tar.gz', '/etc/passwd', 'a/./b', '.hidden'],
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
    'curl -fsS --retry 2 -T /opt/local/var/macports/distfiles/zstd/zstd-1.5.7.tar.gz http://10.0.0.5:8081/upload/t0k3n/zstd/zstd-1.5.7.tar.gz\n' +
      "curl -fsS --retry 2 -T '/opt/local/var/macports/distfiles/odd/it'\\''s.tgz' 'http://10.0.0.5:8081/upload/t0k3n/odd/it'\\''s.tgz'",
  ]);
});
