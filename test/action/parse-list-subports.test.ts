import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListSubports } from '../../action/src/parse-list-subports.ts';
import { portsFromPaths } from '../../action/src/ports-from-paths.ts';

test('list-subports: ports in stdout order, exclusions with their reasons, other stderr lines as warnings', () => {
  const stdout = 'openssl3\nopenssl\ncurl-ca-bundle\ncurl\n\ncurl\n';
  const stderr = [
    'Excluding zlib because it has already been built and uploaded to the public server',
    'Still processing...',
    "Excluding py27-numpy because its dependency 'python27' is known to fail",
    'Excluding unrar because it is not distributable and it has already been built and uploaded to the private server',
    "Warning: gcc14 appears to have a cyclic dependency involving 'libgcc14'",
    'port nosuchport not found in the index',
    '',
  ].join('\n');
  assert.deepEqual(parseListSubports(stdout, stderr), {
    ports: ['openssl3', 'openssl', 'curl-ca-bundle', 'curl'],
    excluded: [
      { port: 'zlib', reason: 'it has already been built and uploaded to the public server' },
      { port: 'py27-numpy', reason: "its dependency 'python27' is known to fail" },
      { port: 'unrar', reason: 'it is not distributable and it has already been built and uploaded to the private server' },
    ],
    warnings: ["Warning: gcc14 appears to have a cyclic dependency involving 'libgcc14'", 'port nosuchport not found in the index'],
  });
});

test('an empty list is empty, not an error', () => {
  assert.deepEqual(parseListSubports('', 'Excluding curl because it has already been built and uploaded to the public server\n'), {
    ports: [],
    excluded: [{ port: 'curl', reason: 'it has already been built and uploaded to the public server' }],
    warnings: [],
  });
});

test('changed paths name ports as the portwatcher does: Portfile and files/, not _resources or top-level files', () => {
  assert.deepEqual(
    portsFromPaths(['net/curl/Portfile', 'net/curl/files/patch-a.diff', 'python/py-numpy/Portfile', '_resources/port1.0/group/python-1.0.tcl', 'README.md', '.github/workflows/ports.yml', 'net/curl/README']),
    { ports: ['curl', 'py-numpy'], rejected: [] },
  );
});
