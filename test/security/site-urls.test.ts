import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveInSite } from '../../site/build/resolve-in-site.ts';
import { appendBuild } from '../../site/ledger/append-build.ts';
import { resolveLegacyUrl } from '../../site/lookup/resolve-legacy-url.ts';
import { SITE_MAP_VERSION } from '../../site/lookup/site-map.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'site', 'ledger.ndjson');

/** Addresses a browser reads as another site, or as code: none may be recorded or followed. */
const OFF_SITE = ['/\\evil.example/phish', '//evil.example/phish', '/\t/evil.example/phish', '/\\\\evil.example', 'javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', '/logs/\u0000x', 'https:\\\\evil.example', '\n//evil.example'];

function allFiles(root: string): string {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('ledger URLs cannot lead off the site', () => {
  it('appendBuild refuses each, as the build page or a step log, before the ledger is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-site-urls-'));
    const ledger = join(dir, 'ledger.ndjson');
    for (const url of OFF_SITE) {
      await assert.rejects(appendBuild(ledger, { builder: 'ports-15_arm64-builder', url }), (error: Error) => {
        assert.match(error.message, /^ledger entry for ports-15_arm64-builder: url: .*; nothing was written/);
        return true;
      });
      await assert.rejects(
        appendBuild(ledger, { builder: 'ports-15_arm64-builder', url: 'https://build.example/b/1', steps: [{ name: 'install-port', logs: [{ name: 'stdio', url }] }] }),
        /steps\[0\]\.logs\[0\]\.url: /,
      );
    }
    assert.equal(existsSync(ledger), false, 'no ledger was created');
    // What the controller records is still taken.
    await appendBuild(ledger, { builder: 'ports-15_arm64-builder', url: '/logs/b-1/install-port.log' });
    await appendBuild(ledger, { builder: 'ports-15_arm64-builder', url: 'https://logs.example.org/b-2/stdio' });
    assert.equal(readFileSync(ledger, 'utf8').split('\n').length, 3);
  });

  it('site build skips and reports such a line from an older ledger; its address is then an unknown build, never a redirect', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-site-urls-'));
    copyFileSync(fixture, join(dir, 'ledger.ndjson'));
    OFF_SITE.forEach((url, i) => {
      appendFileSync(join(dir, 'ledger.ndjson'), `${JSON.stringify({ builder: 'ports-15_arm64-builder', number: 900 + i, url })}\n`);
    });
    appendFileSync(join(dir, 'ledger.ndjson'), `${JSON.stringify({ builder: 'ports-15_arm64-builder', number: 950, url: '/logs/ok', steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: '/\\evil.example/phish' }] }] })}\n`);
    const result = await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'site'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const skipped = result.stderr.split('\n').filter((l) => l.includes('skipped, not on the site'));
    assert.equal(skipped.length, OFF_SITE.length + 1, result.stderr);
    assert.match(skipped[0] ?? '', /ledger\.ndjson:\d+: skipped, not on the site: url: "\/\\\\evil\.example\/phish" contains a backslash/);
    assert.match(result.stdout, /^wrote site: 8 builds of 4 builders/);
    assert.doesNotMatch(allFiles(join(dir, 'site')), /evil\.example|javascript:/i);
    for (const number of [900, 901, 950]) {
      await assert.rejects(resolveInSite(join(dir, 'site'), `/builders/ports-15_arm64-builder/builds/${number}`), /not found: ports-15_arm64-builder has no build/);
    }
  });

  it('a map written before the check is not trusted: the lookup the router page runs does not redirect off the site', async () => {
    const shard = { v: SITE_MAP_VERSION, builder: 'b', shard: 0, runs: [7, 1], urls: { 0: '/\\evil.example/phish' } };
    const index = { v: SITE_MAP_VERSION, baseUrl: 'https://site.example/', basePath: '/', builders: { b: { count: 1, first: 7, latest: 7, shards: [0] } }, builds: 1, ports: 0, idBuckets: 0 };
    const files: Record<string, unknown> = { 'map/_index.json': index, 'map/b/0.json': shard };
    const resolution = await resolveLegacyUrl('/builders/b/builds/7', (path) => Promise.resolve(files[path]), '/');
    assert.ok(resolution.kind === 'unknown', JSON.stringify(resolution));
    assert.match(resolution.reason, /records an address that could lead off this site/);
  });
});

describe('builder and port names that are Object.prototype keys', () => {
  it('constructor, __proto__, hasOwnProperty, toString: the normal unknown answer, no loop, no TypeError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-site-names-'));
    copyFileSync(fixture, join(dir, 'ledger.ndjson'));
    assert.equal((await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'site'], { cwd: dir })).code, 0);
    const site = join(dir, 'site');
    const before = allFiles(site);
    for (const name of ['constructor', 'hasOwnProperty', 'tostring', 'valueof', 'isprototypeof']) {
      for (const path of [`/builders/${name}/builds/1`, `/builders/${name}/builds/-1`, `/builders/${name}/builds/1/steps/x/logs/stdio`, `/builders/${name}/`]) {
        await assert.rejects(resolveInSite(site, path), (error: Error) => {
          assert.match(error.message, new RegExp(`not found: there is no builder ${name} on this site`, 'i'), path);
          return true;
        });
      }
    }
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      await assert.rejects(resolveInSite(site, `/ports/${name}/`), new RegExp(`not found: no builds of port ${name} are recorded`));
    }
    await assert.rejects(resolveInSite(site, '/ports/__proto__/'), /not found: "__proto__" is not a MacPorts port name/);
    await assert.rejects(resolveInSite(site, '/builders/__proto__/builds/1'), /not found/);
    await assert.rejects(resolveInSite(site, '/builds/b-constructor'), /not found/);
    assert.equal(allFiles(site), before, 'the site is unchanged');
  });

  it('a builder really named constructor is found like any other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-site-names-'));
    writeFileSync(join(dir, 'ledger.ndjson'), `${JSON.stringify({ builder: 'constructor', number: 3, url: 'https://logs.example.org/3' })}\n`);
    assert.equal((await captureCli(['site', 'build', '--ledger', 'ledger.ndjson', '--out', 'site'], { cwd: dir })).code, 0);
    assert.equal((await resolveInSite(join(dir, 'site'), '/builders/constructor/builds/3')).output, 'https://logs.example.org/3');
    await assert.rejects(resolveInSite(join(dir, 'site'), '/builders/constructor/builds/4'), /constructor has no build 4/);
  });
});
