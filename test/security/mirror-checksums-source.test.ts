import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { DistfileChecksumsStore } from '../../controller/caches/distfile-checksums-store.ts';
import { vouchedDistfiles } from '../../controller/caches/vouched-distfiles.ts';
import { portListSchema, type PortList } from '../../controller/model/port-list.ts';
import { createExecaExec } from '../../action/src/create-execa-exec.ts';
import { runStep } from '../../action/src/run-step.ts';
import { inputs, tempDir } from '../action/fixtures.ts';
import { recordReporter } from '../action/record-reporter.ts';

// Where a mirror grant's list comes from: the master watcher evaluates the Portfiles at the
// revision it lists (`port distfiles`, before any port's build code has run) and hands the
// checksums over with its OIDC-verified port list. Nothing the builder VM says adds to it.

const SHA = '70b44a41bbbb627007b18ae0551cddb24c009bf2';
const ZLIB = 'c2d6c7e0c9a2d5cfcd5b3e8d1e1b3f2a4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a';
const zlib = { port: 'zlib', distSubdir: 'zlib', files: [{ name: 'zlib-1.3.1.tar.xz', size: 1_305_740, sha256: ZLIB }] };

/** A MacPorts prefix whose `port distfiles` prints what portdistfiles.tcl prints for zlib, and refuses anything else it is asked. */
function macportsPrefix(): string {
  const prefix = tempDir('prefix');
  mkdirSync(join(prefix, 'bin'));
  writeFileSync(
    join(prefix, 'bin', 'port'),
    `#!/bin/sh
[ "$1" = distfiles ] || exit 1
shift
for p in "$@"; do
  echo "--->  Distfiles for $p"
  [ "$p" = zlib ] || continue
  echo "[zlib-1.3.1.tar.xz] ${prefix}/var/macports/distfiles/zlib/zlib-1.3.1.tar.xz"
  echo " rmd160: 0123456789012345678901234567890123456789"
  echo " sha256: ${ZLIB}"
  echo " size: 1305740"
  echo "  https://www.zlib.net/zlib-1.3.1.tar.xz"
  echo " "
done
`,
  );
  chmodSync(join(prefix, 'bin', 'port'), 0o755);
  return prefix;
}

test('a master watcher hands each listed port\'s checksums (dist_subdir, name, size, sha256) over with its list', async (t) => {
  const received: unknown[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"builders":2}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const workDir = tempDir('work');
  const deps = {
    exec: createExecaExec(),
    reporter: recordReporter(),
    getIdToken: () => Promise.resolve('token'),
    fetch: globalThis.fetch,
    now: () => 0,
    run: { eventName: 'workflow_dispatch', serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 1 },
  };
  assert.equal((await runStep(inputs({ step: 'checkout', platform: '15_arm64', 'build-id': 'w-1', 'work-dir': workDir, 'ports-sha': SHA }), deps)).result, 'success');
  const outcome = await runStep(
    inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'w-1', 'work-dir': workDir, 'ports-sha': SHA, portlist: 'zlib', prefix: macportsPrefix(), 'controller-url': `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    deps,
  );
  assert.equal(outcome.result, 'success');
  const list = portListSchema.parse(received[0]);
  assert.ok(list.ports.includes('zlib') && list.ports.includes('minizip'));
  assert.deepEqual(list.distfiles, [zlib], 'the other listed ports (no distfiles printed) get none');
});

const list = (distfiles: PortList['distfiles']): PortList => ({ buildId: 'w-1', platform: '15_arm64', portsRevision: SHA, ports: ['zlib'], excluded: [], ...(distfiles === undefined ? {} : { distfiles }) });

test('only a master watcher vouches for checksums, and only for the ports it listed', () => {
  const curl = { port: 'curl', distSubdir: 'curl', files: [{ name: 'curl-8.17.0.tar.xz', size: 1, sha256: ZLIB }] };
  assert.deepEqual(vouchedDistfiles(list([zlib, curl]), 'watcher'), [zlib], 'curl was not listed');
  assert.deepEqual(vouchedDistfiles(list([zlib]), 'pr-watcher'), [], 'a PR watcher evaluated unreviewed Portfiles');
  assert.deepEqual(vouchedDistfiles(list([zlib]), 'builder'), []);
  assert.deepEqual(vouchedDistfiles(list([zlib]), undefined), []);
  assert.deepEqual(vouchedDistfiles(list(undefined), 'watcher'), []);
});

test('the store answers by port (any case) and the exact revision, and forgets the oldest revisions', () => {
  const store = new DistfileChecksumsStore({ maxRevisions: 2 });
  store.record(SHA, [zlib]);
  assert.deepEqual(store.lookup('ZLib', SHA), zlib);
  assert.equal(store.lookup('zlib', 'b'.repeat(40)), undefined, 'another revision may have other checksums');
  assert.equal(store.lookup('curl', SHA), undefined);
  store.record('b'.repeat(40), [zlib]);
  store.record('c'.repeat(40), [zlib]);
  assert.equal(store.lookup('zlib', SHA), undefined);
  assert.deepEqual(store.lookup('zlib', 'c'.repeat(40)), zlib);
});

test('the hand-off schema refuses checksums that could name a path outside the port\'s folder', () => {
  for (const bad of [
    { ...zlib, distSubdir: '../packages' },
    { ...zlib, distSubdir: '/etc' },
    { ...zlib, files: [{ ...zlib.files[0], name: '../zlib.tar.xz' }] },
    { ...zlib, files: [{ ...zlib.files[0], sha256: 'not-a-digest' }] },
    { ...zlib, files: [{ ...zlib.files[0], size: -1 }] },
  ]) {
    assert.equal(portListSchema.safeParse(list([bad as typeof zlib])).success, false, JSON.stringify(bad));
  }
});
