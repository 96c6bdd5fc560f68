import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { captureCli } from '../helpers/capture-cli.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'site', 'ledger.ndjson');
const B = 'ports-10.15_x86_64-builder';
let dir = '';

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portfarm-site-cli-'));
  copyFileSync(fixture, join(dir, 'ledger.ndjson'));
  const result = await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'site'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'wrote site: 8 builds of 4 builders, 4 ports, 38 files (5 map shards, largest 768 bytes; 11 JSON files and 0 installed-files lists for programs)\n');
  assert.match(result.stderr, /^site build: done in \d+\.\d s\n$/);
});

test('site build writes a router page, map shards and pre-rendered pages, not a file per build', () => {
  assert.deepEqual(files(join(dir, 'site')), [
    '.nojekyll',
    '404.html',
    'builders/buildports-mtln-x86_64/builds/-1/index.html',
    'builders/buildports-mtln-x86_64/index.html',
    'builders/buildports-mtln-x86_64/range/5/index.html',
    'builders/index.html',
    `builders/${B}/builds/-1/index.html`,
    `builders/${B}/index.html`,
    `builders/${B}/range/31/index.html`,
    `builders/${B}/range/32/index.html`,
    'builders/ports-15_arm64-builder/builds/-1/index.html',
    'builders/ports-15_arm64-builder/index.html',
    'builders/ports-15_arm64-builder/range/0/index.html',
    'builders/ports-15_arm64-watcher/builds/-1/index.html',
    'builders/ports-15_arm64-watcher/index.html',
    'builders/ports-15_arm64-watcher/range/0/index.html',
    'index.html',
    // Real JSON for programs: the builds of the last 14 days before each builder's newest, and -1.
    'json/builders/buildports-mtln-x86_64/builds/-1',
    'json/builders/buildports-mtln-x86_64/builds/5000',
    `json/builders/${B}/builds/-1`,
    `json/builders/${B}/builds/32501`,
    `json/builders/${B}/builds/32502`,
    `json/builders/${B}/builds/32503`,
    'json/builders/ports-15_arm64-builder/builds/-1',
    'json/builders/ports-15_arm64-builder/builds/120',
    'json/builders/ports-15_arm64-builder/builds/121',
    'json/builders/ports-15_arm64-watcher/builds/-1',
    'json/builders/ports-15_arm64-watcher/builds/88',
    'map/_index.json',
    'map/_manifest.json',
    // One small file a port, named in lower case: adding builds rewrites only the ports they name.
    'map/_ports/curl.json',
    'map/_ports/py313-numpy.json',
    'map/_ports/wget.json',
    'map/_ports/zstd.json',
    'map/buildports-mtln-x86_64/5.json',
    `map/${B}/31.json`,
    `map/${B}/32.json`,
    'map/ports-15_arm64-builder/0.json',
    'map/ports-15_arm64-watcher/0.json',
  ]);
  assert.equal(readFileSync(join(dir, 'site', '404.html'), 'utf8'), readFileSync(join(dir, 'site', 'index.html'), 'utf8'));
});

test('site resolve prints where a browser ends up, for every legacy shape', async () => {
  const log = 'https://logs.example.org/ports-10.15_x86_64-builder/32503/install-port';
  const cases: [string, string][] = [
    [`/builders/${B}/builds/32503`, 'https://logs.example.org/ports-10.15_x86_64-builder/32503/index.html'],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio`, `${log}/stdio.txt`],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio/text`, `${log}/stdio.txt`],
    [`/Builders/PORTS-10.15_x86_64-builder/builds/32503/steps/Install-Port/logs/files/text/?x=1#L20`, `${log}/files.txt?x=1#L20`],
    [`https://build.macports.org/builders/${B}/builds/-1/steps/install-port/logs/stdio`, `${log}/stdio.txt`],
    [`/builders/${B}/builds/32503/steps/install-port`, `${log}/stdio.txt`],
    ['/builders/ports-15_arm64-builder/builds/-2/', 'https://build.macports.org/logs/ports-15_arm64-builder/120/index.html'],
    ['/builders/buildports-mtln-x86_64/builds/5000/steps/install-port/logs/stdio', 'https://logs.example.org/buildports-mtln-x86_64/5000/install-port/stdio.txt'],
    ['/builders/PORTS-15_arm64-builder', 'https://build.macports.org/builders/ports-15_arm64-builder/'],
    ['/ports/curl/', 'https://build.macports.org/ports/curl/'],
    ['/ports/CURL', 'https://build.macports.org/ports/curl/'],
    [
      '/json/builders/ports-15_arm64-builder/builds/-1',
      // Cancelled is buildbot's `exception interrupted`; without a start time the build starts when it ends; its watcher is the
      // platform's watcher recorded last before it (88); log URLs are absolute on site.baseUrl.
      '{"builderName":"ports-15_arm64-builder","number":121,"results":6,"text":["exception","interrupted"],"times":[1787001600,1787001600],' +
        '"properties":[["buildername","ports-15_arm64-builder","Builder"],["buildnumber",121,"Build"],["portname","zstd","Trigger"],["platform","15_arm64","portfarm"],' +
        '["triggered_by","https://build.macports.org/builders/ports-15_arm64-watcher/builds/88","Trigger"]],' +
        '"steps":[{"name":"install-dependencies","logs":[["stdio","https://build.macports.org/logs/ports-15_arm64-builder/121/install-dependencies/stdio.txt"]]},' +
        '{"name":"install-port","logs":[["stdio","https://build.macports.org/logs/ports-15_arm64-builder/121/install-port/stdio.txt"],["files","https://build.macports.org/logs/ports-15_arm64-builder/121/install-port/files.txt"]]},' +
        '{"name":"gather-archives","logs":[["stdio","https://build.macports.org/logs/ports-15_arm64-builder/121/gather-archives/stdio.txt"]]}],' +
        '"url":"https://build.macports.org/logs/ports-15_arm64-builder/121/index.html"}',
    ],
  ];
  for (const [path, expected] of cases) {
    const result = await captureCli(['site', 'resolve', path, '--site', join(dir, 'site')]);
    assert.deepEqual(result, { code: 0, stdout: `${expected}\n`, stderr: '' }, path);
  }
});

test('a missing step or log falls back to the build page and says so', async () => {
  const result = await captureCli(['site', 'resolve', `/builders/${B}/builds/32502/steps/install-port/logs/main.log`, '--site', join(dir, 'site')]);
  assert.deepEqual(result, {
    code: 0,
    stdout: 'https://logs.example.org/ports-10.15_x86_64-builder/32502/index.html\n',
    stderr: `note: build 32502 of ${B} has no log "main.log" in step "install-port"; going to the build page\n`,
  });
});

test('site resolve of an unknown build: exit 1, what was asked, why, the nearest builds', async () => {
  const site = join(dir, 'site');
  const cases: [string, string][] = [
    [
      `/builders/${B}/builds/32600/steps/install-port/logs/stdio`,
      `portfarm: /builders/${B}/builds/32600/steps/install-port/logs/stdio: not found: ${B} has no build 32600 on this site (it has 4 builds, numbered 31999 to 32503)\n` +
        'nearest builds: 32501 (curl), 32502 (wget), 32503 (curl)\n',
    ],
    [
      '/builders/ports-15_arm64-builder/builds/-9',
      'portfarm: /builders/ports-15_arm64-builder/builds/-9: not found: ports-15_arm64-builder has 2 builds; build -9 counts back past the first one (120)\nnearest builds: 120\n',
    ],
    [
      '/builders/buildports-lion-x86_64/builds/3',
      'portfarm: /builders/buildports-lion-x86_64/builds/3: not found: there is no builder buildports-lion-x86_64 on this site\n' +
        `builders: buildports-mtln-x86_64, ${B}, ports-15_arm64-builder, ports-15_arm64-watcher\n`,
    ],
    ['/ports/nope/', 'portfarm: /ports/nope/: not found: no builds of port nope are recorded on this site\n'],
    [
      '/buildslaves/ports-10.15',
      'portfarm: /buildslaves/ports-10.15: not found: it is not a build-log address; they look like /builders/<builder>/builds/<number>[/steps/<step>/logs/<log>]\n',
    ],
  ];
  for (const [path, stderr] of cases) {
    assert.deepEqual(await captureCli(['site', 'resolve', path, '--site', site]), { code: 1, stdout: '', stderr }, path);
  }
  const noSite = await captureCli(['site', 'resolve', '/', '--site', dir]);
  assert.deepEqual(noSite, { code: 2, stdout: '', stderr: `portfarm: ${dir} holds no site (no map/_index.json); pass the --out folder of portfarm site build to --site\n` });
});

test('a bad ledger line fails the build with file and line, and the old site stays as it was', async () => {
  const work = mkdtempSync(join(tmpdir(), 'portfarm-site-bad-'));
  const ledger = join(work, 'ledger.ndjson');
  copyFileSync(fixture, ledger);
  assert.equal((await captureCli(['site', 'build', '--ledger', ledger, '--out', join(work, 'site')])).code, 0);
  const before = files(join(work, 'site')).map((f) => [f, readFileSync(join(work, 'site', f), 'utf8')]);
  appendFileSync(ledger, '{"builder":"mirror","number":3,"url":"https://x.example/3","result":"ok"}\n{"builder":"mirror","number":4,"url":"https://x.example/4"}\n');
  const result = await captureCli(['site', 'build', '--ledger', ledger, '--out', join(work, 'site')]);
  assert.deepEqual(result, {
    code: 2,
    stdout: '',
    stderr: `portfarm: ${ledger}:9: result: "ok" must be one of success, failure, cancelled; fix or remove that line (nothing was written)\n`,
  });
  assert.deepEqual(files(join(work, 'site')).map((f) => [f, readFileSync(join(work, 'site', f), 'utf8')]), before);
  assert.deepEqual(readdirSync(work).sort(), ['ledger.ndjson', 'site']);
});

test('a torn last line is skipped with a warning; the site is built from the whole lines', async () => {
  const work = mkdtempSync(join(tmpdir(), 'portfarm-site-torn-'));
  const ledger = join(work, 'ledger.ndjson');
  copyFileSync(fixture, ledger);
  appendFileSync(ledger, '{"builder":"mirror","numb');
  const result = await captureCli(['site', 'build', '--ledger', ledger, '--out', join(work, 'site')]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `wrote ${join(work, 'site')}: 8 builds of 4 builders, 4 ports, 38 files (5 map shards, largest 768 bytes; 11 JSON files and 0 installed-files lists for programs)\n`);
  assert.match(
    result.stderr,
    new RegExp(`^site build: ${ledger}:9: skipped a torn last line \\(25 bytes, no newline: an append was interrupted\\); the next append repairs it\nsite build: done in `),
  );
});

test('site build refuses to replace a folder that is not a site, and needs --ledger', async () => {
  const work = mkdtempSync(join(tmpdir(), 'portfarm-site-out-'));
  mkdirSync(join(work, 'docs'));
  writeFileSync(join(work, 'docs', 'notes.txt'), 'mine');
  const refused = await captureCli(['site', 'build', '--ledger', fixture, '--out', join(work, 'docs')]);
  assert.deepEqual(refused, {
    code: 2,
    stdout: '',
    stderr: `portfarm: --out ${join(work, 'docs')} is not empty and holds no site written by portfarm site build (no map/_index.json); give a new or empty folder\n`,
  });
  assert.deepEqual(readdirSync(join(work, 'docs')), ['notes.txt']);
  const noLedger = await captureCli(['site', 'build', '--out', join(work, 'x')], { cwd: work });
  assert.deepEqual(noLedger, { code: 2, stdout: '', stderr: 'portfarm: site build needs --ledger FILE: the NDJSON build ledger the controller writes\n' });
  const missing = await captureCli(['site', 'build', '--ledger', 'nope.ndjson', '--out', 'x'], { cwd: work });
  assert.deepEqual(missing, { code: 2, stdout: '', stderr: `portfarm: ledger ${join(work, 'nope.ndjson')} not found; pass the NDJSON build ledger to --ledger\n` });
});

test('relative log URLs point below site.logArchiveUrl when the config sets one, and the base path is kept', async () => {
  const work = mkdtempSync(join(tmpdir(), 'portfarm-site-archive-'));
  writeFileSync(
    join(work, 'portfarm.config.yaml'),
    [
      'github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports }',
      'platforms: [{ name: 15_arm64, image: macos-15-base, hosts: [{ name: mini, address: 10.0.0.2 }] }]',
      'site: { out: public, baseUrl: "https://macports.github.io/builds", logArchiveUrl: "https://archive.example.org/portfarm/" }',
      '',
    ].join('\n'),
  );
  copyFileSync(fixture, join(work, 'ledger.ndjson'));
  const built = await captureCli(['site', 'build', '--ledger', 'ledger.ndjson'], { cwd: work });
  assert.equal(built.stdout, 'wrote public: 8 builds of 4 builders, 4 ports, 38 files (5 map shards, largest 780 bytes; 11 JSON files and 0 installed-files lists for programs)\n');
  const site = join(work, 'public');
  const log = await captureCli(['site', 'resolve', '/builds/builders/ports-15_arm64-builder/builds/121/steps/install-port/logs/stdio', '--site', site]);
  assert.equal(log.stdout, 'https://archive.example.org/portfarm/logs/ports-15_arm64-builder/121/install-port/stdio.txt\n');
  const builder = await captureCli(['site', 'resolve', '/builds/Builders/PORTS-15_arm64-builder/', '--site', site]);
  assert.equal(builder.stdout, 'https://macports.github.io/builds/builders/ports-15_arm64-builder/\n');
  const outside = await captureCli(['site', 'resolve', '/builders/ports-15_arm64-builder/builds/121', '--site', site]);
  assert.equal(outside.stderr, 'portfarm: /builders/ports-15_arm64-builder/builds/121: not found: it is outside the site, which is served under /builds/\n');
});

test('site build on an unchanged ledger and config writes nothing; an appended line updates the site in place; another config writes it again', async () => {
  const work = mkdtempSync(join(tmpdir(), 'portfarm-site-unchanged-'));
  const ledger = join(work, 'ledger.ndjson');
  copyFileSync(fixture, ledger);
  const build = (): ReturnType<typeof captureCli> => captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'site'], { cwd: work });
  assert.equal((await build()).code, 0);
  const site = join(work, 'site');
  // A rebuild swaps in a new folder: the same inode and the same file times mean nothing was written.
  const stamp = (): string[] => [String(statSync(site).ino), ...files(site).map((f) => `${f} ${statSync(join(site, f)).mtimeMs}`)];
  const before = stamp();
  const again = await build();
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'unchanged site: 8 builds of 4 builders, 4 ports, 38 files (5 map shards, largest 768 bytes; 11 JSON files and 0 installed-files lists for programs)\n');
  assert.match(again.stderr, /^site build: the site was built from this same ledger, config and portfarm; nothing written \(\d+\.\d s\)\n$/);
  assert.deepEqual(stamp(), before);

  appendFileSync(ledger, `${JSON.stringify({ builder: B, number: 32504, port: 'zlib', result: 'success', url: 'https://logs.example.org/32504/' })}\n`);
  const appended = await build();
  assert.match(appended.stdout, /^updated site: 9 builds /);
  assert.match(appended.stderr, /^site build: updated in place for the appended lines in \d+\.\d s: \d+ files written, \d+ removed\n$/);
  assert.equal(String(statSync(site).ino), before[0], 'the same folder, updated in place');
  const builders = readFileSync(join(site, 'builders', B, 'index.html'), 'utf8');
  assert.match(builders, /Latest: <a href="https:\/\/logs\.example\.org\/32504\/">build 32504<\/a> of zlib/);

  writeFileSync(
    join(work, 'portfarm.config.yaml'),
    [
      'github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports }',
      'platforms: [{ name: 15_arm64, image: macos-15-base, hosts: [{ name: mini, address: 10.0.0.2 }] }]',
      'site: { jsonWindowDays: 1 }',
      '',
    ].join('\n'),
  );
  assert.match((await build()).stdout, /^wrote site: 9 builds /, 'another JSON window is another site');
  // A manifest that is not JSON (cut short, edited by hand) is no reason to skip the build.
  writeFileSync(join(site, 'map', '_manifest.json'), '{"v":1,');
  assert.match((await build()).stdout, /^wrote site: 9 builds /);
  assert.match((await build()).stdout, /^unchanged site: 9 builds /);
});
