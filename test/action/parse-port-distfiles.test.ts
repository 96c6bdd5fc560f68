import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortDistfiles } from '../../action/src/parse-port-distfiles.ts';

const ZSTD = 'eb33e51f49a15e023950cd7825ca74a4a2b43db8354825ac24fc1b7ee09e6fa3';
const RUST = '1b4a8c3f0c8f4bbd2a1e2c3d4e5f60718293a4b5c6d7e8f90112233445566778';

// As portdistfiles.tcl prints it: a notice per port, `[file] path`, checksums with one space, URLs with two.
const OUTPUT = `--->  Distfiles for zstd
[zstd-1.5.7.tar.gz] /opt/local/var/macports/distfiles/zstd/zstd-1.5.7.tar.gz
 rmd160: 9a3c2ef2b1a4d2c0e0c3f1f5b5e0a4d1c8b7a6f5
 sha256: ${ZSTD}
 size: 2703572
  https://github.com/facebook/zstd/releases/download/v1.5.7/zstd-1.5.7.tar.gz
  https://distfiles.macports.org/zstd/zstd-1.5.7.tar.gz
 
--->  Distfiles for rust
[rustc-1.91.0-src.tar.gz] /opt/local/var/macports/distfiles/rust/1.91.0/rustc-1.91.0-src.tar.gz
 sha256: ${RUST}
 size: 310000000
  https://static.rust-lang.org/dist/rustc-1.91.0-src.tar.gz
 
--->  Distfiles for oldport
[oldport-1.0.tar.gz] /opt/local/var/macports/distfiles/oldport/oldport-1.0.tar.gz
 md5: 0123456789abcdef0123456789abcdef
  https://example.org/oldport-1.0.tar.gz
 
--->  Distfiles for metaport
`;

test('port distfiles output → each port\'s dist_subdir, file names, sizes and sha256; ports without both checksums are skipped with why', () => {
  const parsed = parsePortDistfiles(OUTPUT, '/opt/local/var/macports/distfiles');
  assert.deepEqual(parsed.ports, [
    { port: 'zstd', distSubdir: 'zstd', files: [{ name: 'zstd-1.5.7.tar.gz', size: 2_703_572, sha256: ZSTD }] },
    { port: 'rust', distSubdir: 'rust/1.91.0', files: [{ name: 'rustc-1.91.0-src.tar.gz', size: 310_000_000, sha256: RUST }] },
  ]);
  assert.deepEqual(parsed.skipped, [{ port: 'oldport', why: 'oldport-1.0.tar.gz has no sha256 checksum' }]);
});

test('a distfile outside the distfiles root or with an odd name is never planned', () => {
  const odd = `--->  Distfiles for evil
[evil.tar.gz] /tmp/evil.tar.gz
 sha256: ${ZSTD}
 size: 1
--->  Distfiles for spaced
[a..b] /opt/local/var/macports/distfiles/../a..b
 sha256: ${ZSTD}
 size: 1
`;
  const parsed = parsePortDistfiles(odd, '/opt/local/var/macports/distfiles/');
  assert.deepEqual(parsed.ports, []);
  assert.deepEqual(parsed.skipped.map((s) => s.port), ['evil', 'spaced']);
  assert.match(parsed.skipped[0]?.why ?? '', /evil\.tar\.gz is at \/tmp\/evil\.tar\.gz, not under \/opt\/local\/var\/macports\/distfiles\/<dist_subdir>\//);
});
