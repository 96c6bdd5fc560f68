import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLegacyPath } from '../../site/lookup/parse-legacy-path.ts';
import { suggestBuilders } from '../../site/lookup/suggest-builders.ts';
import { withQueryAndFragment } from '../../site/lookup/resolve-legacy-url.ts';

const B = 'ports-10.15_x86_64-builder';

test('every buildbot 0.8 shape parses, in any case, with or without a trailing slash', () => {
  const cases: [string, unknown][] = [
    ['/', { kind: 'home' }],
    ['/builders', { kind: 'builders' }],
    [`/builders/${B}/`, { kind: 'builder', builder: B }],
    [`/builders/${B}/builds/32503`, { kind: 'build', builder: B, number: 32503 }],
    [`/BUILDERS/Ports-10.15_X86_64-Builder/Builds/32503/`, { kind: 'build', builder: B, number: 32503 }],
    [`/builders/${B}/builds/-1`, { kind: 'build', builder: B, number: -1 }],
    [`/builders/${B}/builds/32503/steps/install-port`, { kind: 'step', builder: B, number: 32503, step: 'install-port' }],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio`, { kind: 'log', builder: B, number: 32503, step: 'install-port', log: 'stdio', text: false }],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio/text`, { kind: 'log', builder: B, number: 32503, step: 'install-port', log: 'stdio', text: true }],
    [`/builders/${B}/builds/32503/steps/install-port/logs/files/TEXT/`, { kind: 'log', builder: B, number: 32503, step: 'install-port', log: 'files', text: true }],
    [`/builders/${B}/builds/32503/steps/install%20port/logs/stdio`, { kind: 'log', builder: B, number: 32503, step: 'install port', log: 'stdio', text: false }],
    [`/json/builders/${B}/builds/-1`, { kind: 'json-build', builder: B, number: -1 }],
    [`/json/builders/${B}/builds/32503/`, { kind: 'json-build', builder: B, number: 32503 }],
    ['/builders/buildports-mtln-x86_64/builds/4711', { kind: 'build', builder: 'buildports-mtln-x86_64', number: 4711 }],
    ['/builders/ports-11.0_arm64-builder/builds/7', { kind: 'build', builder: 'ports-11.0_arm64-builder', number: 7 }],
    ['/ports/py313-numpy/', { kind: 'port', port: 'py313-numpy' }],
    ['/ports/p5.34-dbi', { kind: 'port', port: 'p5.34-dbi' }],
  ];
  for (const [path, expected] of cases) assert.deepEqual(parseLegacyPath(path), expected, path);
});

test('paths that are not build addresses say what the shapes are', () => {
  assert.deepEqual(parseLegacyPath('/buildslaves/ports-10.15'), {
    kind: 'not-legacy',
    reason: 'it is not a build-log address; they look like /builders/<builder>/builds/<number>[/steps/<step>/logs/<log>]',
  });
  assert.deepEqual(parseLegacyPath(`/builders/${B}/builds/latest`), { kind: 'not-legacy', reason: '"latest" is not a build number' });
  assert.deepEqual(parseLegacyPath('/builders/_index/builds/1'), { kind: 'not-legacy', reason: '"_index" is not a builder name' });
  assert.deepEqual(parseLegacyPath('/builders/x/builds/%E0%A4%A'), { kind: 'not-legacy', reason: '"%E0%A4%A" is not valid percent-encoding' });
  assert.deepEqual(parseLegacyPath('/json/builders/x'), { kind: 'not-legacy', reason: 'the JSON form answered here is /json/builders/<builder>/builds/<number>' });
  assert.deepEqual(parseLegacyPath('/ports/../etc/'), { kind: 'not-legacy', reason: 'port pages look like /ports/<port>/' });
});

test('query and fragment of the request are kept on the target', () => {
  assert.equal(withQueryAndFragment('https://l.example/a.txt', '?x=1', '#L20'), 'https://l.example/a.txt?x=1#L20');
  assert.equal(withQueryAndFragment('https://l.example/a.txt?sig=abc', '?x=1', ''), 'https://l.example/a.txt?sig=abc&x=1');
  assert.equal(withQueryAndFragment('https://l.example/a.txt#top', '', '#L3'), 'https://l.example/a.txt#L3');
  assert.equal(withQueryAndFragment('https://l.example/a.txt#top', '', ''), 'https://l.example/a.txt#top');
  // A bare `?` or `#` adds nothing (a URL's search and hash are '' then, but the function is asked with what a caller has).
  assert.equal(withQueryAndFragment('https://l.example/a.txt', '?', '#'), 'https://l.example/a.txt');
  assert.equal(withQueryAndFragment('https://l.example/a.txt#top', '?', '#'), 'https://l.example/a.txt#top');
  // The target's fragment starts at its first `#`: the reader's query goes before it.
  assert.equal(withQueryAndFragment('https://l.example/a.txt#L1#L2', '?x=1', ''), 'https://l.example/a.txt?x=1#L1#L2');
});

test('renamed builders are suggested under their new names', () => {
  const known = ['ports-11_arm64-builder', 'ports-11_arm64-watcher', 'ports-10.8_x86_64-builder', 'base-10.8_x86_64', 'mirror'];
  assert.deepEqual(suggestBuilders('ports-11.0_arm64-builder', known), ['ports-11_arm64-builder', 'ports-11_arm64-watcher']);
  assert.deepEqual(suggestBuilders('buildports-mtln-x86_64', known), ['ports-10.8_x86_64-builder', 'base-10.8_x86_64']);
  assert.deepEqual(suggestBuilders('buildbase-mtln-x86_64', known), ['base-10.8_x86_64', 'ports-10.8_x86_64-builder']);
  assert.deepEqual(suggestBuilders('jobs-nothing', known), []);
});

test('"steps", "logs" and "text" are matched in any case, in buildbot paths and build-id paths', () => {
  const log = { kind: 'log', builder: B, number: 32503, step: 'x', log: 'stdio' };
  const cases: [string, unknown][] = [
    [`/builders/${B}/builds/32503/STEPS/x/LOGS/stdio`, { ...log, text: false }],
    [`/builders/${B}/builds/32503/Steps/x/Logs/stdio/Text`, { ...log, text: true }],
    [`/builders/${B}/builds/32503/STEPS/x`, { kind: 'step', builder: B, number: 32503, step: 'x' }],
    ['/builds/b-1/STEPS/install-port/LOGS/stdio', { kind: 'build-id', buildId: 'b-1', step: 'install-port', log: 'stdio' }],
    ['/builds/b-1/Steps/install-port/Logs/stdio/TEXT', { kind: 'build-id', buildId: 'b-1', step: 'install-port', log: 'stdio' }],
    ['/builds/b-1/Steps/install-port', { kind: 'build-id', buildId: 'b-1', step: 'install-port' }],
  ];
  for (const [path, expected] of cases) assert.deepEqual(parseLegacyPath(path), expected, path);
});

test('index pages, short and misspelt paths: the home page, a port page, or the shapes named (mutation survivors, #21)', () => {
  const shapes = { kind: 'not-legacy', reason: 'it is not a build-log address; they look like /builders/<builder>/builds/<number>[/steps/<step>/logs/<log>]' };
  const portShape = { kind: 'not-legacy', reason: 'port pages look like /ports/<port>/' };
  const buildIdShape = { kind: 'not-legacy', reason: 'build-id addresses look like /builds/<build id>/steps/<step>/logs/<log>' };
  const jsonShape = { kind: 'not-legacy', reason: 'the JSON form answered here is /json/builders/<builder>/builds/<number>' };
  const cases: [string, unknown][] = [
    ['/index.html', { kind: 'home' }],
    ['/INDEX.HTML', { kind: 'home' }],
    ['/index.html/builders', shapes],
    ['/ports', { kind: 'home' }],
    ['/ports/', { kind: 'home' }],
    ['/ports/libarchive/index.html', { kind: 'port', port: 'libarchive' }],
    ['/ports/libarchive/INDEX.HTML', { kind: 'port', port: 'libarchive' }],
    ['/ports/libarchive/Portfile', portShape],
    ['/ports/libarchive/index.html/x', portShape],
    ['/ports/libarchive/x/y', portShape],
    [`/builders/${B}/build/32503`, shapes],
    [`/builders/${B}/builds`, shapes],
    [`/builders/${B}/builds/32503/step/install-port`, shapes],
    [`/builders/${B}/builds/32503/steps`, shapes],
    [`/builders/${B}/builds/32503/steps/install-port/log/stdio`, shapes],
    [`/builders/${B}/builds/32503/steps/install-port/logs`, shapes],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio/html`, shapes],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio/text/more`, shapes],
    ['/builds', buildIdShape],
    ['/builds/b-1', { kind: 'build-id', buildId: 'b-1' }],
    ['/builds/B-1/', { kind: 'build-id', buildId: 'b-1' }],
    ['/builds/not_an_id', { kind: 'not-legacy', reason: '"not_an_id" is not a build id' }],
    ['/builds/not_an_id/steps/install-port', { kind: 'not-legacy', reason: '"not_an_id" is not a build id' }],
    ['/builds/b-1/step/install-port', buildIdShape],
    ['/builds/b-1/steps', buildIdShape],
    ['/builds/b-1/steps/install-port/log/stdio', buildIdShape],
    ['/builds/b-1/steps/install-port/logs', buildIdShape],
    ['/builds/b-1/steps/install-port/logs/stdio/html', buildIdShape],
    ['/builds/b-1/steps/install-port/logs/stdio/text/more', buildIdShape],
    [`/json/builder/${B}/builds/1`, jsonShape],
    [`/json/builders/${B}/build/1`, jsonShape],
    [`/json/builders/${B}/builds`, jsonShape],
    [`/json/builders/${B}/builds/1/steps`, jsonShape],
    ['/JSON/Builders/Ports-10.15_X86_64-Builder/BUILDS/1', { kind: 'json-build', builder: B, number: 1 }],
    ['/json/builders/_x/builds/1', { kind: 'not-legacy', reason: '"_x" is not a builder name' }],
    [`/json/builders/${B}/builds/-0`, { kind: 'not-legacy', reason: '"-0" is not a build number' }],
    [`/builders/${B}/builds/-0`, { kind: 'not-legacy', reason: '"-0" is not a build number' }],
  ];
  for (const [path, expected] of cases) assert.deepEqual(parseLegacyPath(path), expected, path);
});
