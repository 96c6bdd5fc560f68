import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../controller/cli/run-cli.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'site', 'ledger.ndjson');
const SECRET = 'the-secret-outside-the-site';

/** A GET with the path sent exactly as written (fetch would normalise the `..` away). */
function rawGet(base: string, path: string): Promise<{ status: number; type: string; body: string; location: string | undefined }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body, location: res.headers.location }); });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('portfarm site serve', () => {
  let dir = '';
  let url = '';
  const stop = new AbortController();
  let running: Promise<number> | undefined;
  const stdout = new PassThrough();
  let printed = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portfarm-site-serve-'));
    copyFileSync(fixture, join(dir, 'ledger.ndjson'));
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    assert.equal((await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'site'], { cwd: dir })).code, 0);
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'site', 'linked.txt'));
    stdout.on('data', (b: Buffer) => { printed += b.toString('utf8'); });
    running = runCli(['site', 'serve', '--dir', 'site', '--port', '0'], { env: {}, cwd: dir, stdin: new PassThrough(), stdout, stderr: new PassThrough(), signal: stop.signal });
    const deadline = Date.now() + 10_000;
    while (!/ at (http:\S+) /.test(printed)) {
      if (Date.now() > deadline) throw new Error(`site serve printed no URL: ${printed}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    url = /serving site at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C stops\)/.exec(printed)?.[1] ?? '';
    assert.notEqual(url, '', printed);
  });
  after(async () => {
    stop.abort();
    assert.equal(await running, 0);
  });

  it('serves files with their type, index.html for a folder, a redirect for a folder without its slash', async () => {
    const home = await rawGet(url, '/');
    assert.equal(home.status, 200);
    assert.equal(home.type, 'text/html; charset=utf-8');
    assert.equal(home.body, readFileSync(join(dir, 'site', 'index.html'), 'utf8'));
    const map = await rawGet(url, '/map/_index.json');
    assert.equal(map.status, 200);
    assert.equal(map.type, 'application/json; charset=utf-8');
    const folder = await rawGet(url, '/builders?x=1');
    assert.equal(folder.status, 301);
    assert.equal(folder.location, '/builders/?x=1');
  });

  it('an unknown path (a legacy buildbot URL) gets 404.html with status 404: the router page', async () => {
    const legacy = await rawGet(url, '/builders/ports-10.15_x86_64-builder/builds/32503/steps/install-port/logs/stdio');
    assert.equal(legacy.status, 404);
    assert.equal(legacy.type, 'text/html; charset=utf-8');
    assert.equal(legacy.body, readFileSync(join(dir, 'site', '404.html'), 'utf8'));
  });

  it('never lists a folder and never serves a file outside --dir: traversal and symbolic links get the 404 page', async () => {
    const notFound = readFileSync(join(dir, 'site', '404.html'), 'utf8');
    for (const path of ['/../secret.txt', '/map/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/map/%2e%2e%2f%2e%2e%2fsecret.txt', '/linked.txt', '/%00', '/map/_index.json%00.html']) {
      const answer = await rawGet(url, path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body, notFound, path);
      assert.doesNotMatch(answer.body, new RegExp(SECRET));
    }
    // A folder without index.html: the 404 page, not a listing.
    const map = await rawGet(url, '/map/');
    assert.equal(map.status, 404);
    assert.equal(map.body, notFound);
    const post = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const req = request({ host: hostname, port, path: '/', method: 'POST' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end('x');
    });
    assert.equal(post, 405);
  });

  it('--help says what it does; a bad --dir or --port is a usage error naming the fix', async () => {
    const help = await captureCli(['site', 'serve', '--help']);
    assert.match(help.stdout, /--dir <dir>/);
    assert.match(help.stdout, /404\.html with status 404/);
    assert.match(help.stdout, /default: "127\.0\.0\.1"/);
    const noDir = await captureCli(['site', 'serve'], { cwd: dir });
    assert.deepEqual([noDir.code, noDir.stderr], [2, 'portfarm: site serve needs --dir DIR: the folder portfarm site build wrote (its --out)\n']);
    const missing = await captureCli(['site', 'serve', '--dir', 'nope'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--dir nope is not a folder/);
    const port = await captureCli(['site', 'serve', '--dir', 'site', '--port', '70000'], { cwd: dir });
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port "70000" must be a TCP port number/);
  });
});
