import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendBuild } from '../../site/ledger/append-build.ts';
import { readLedger, type TornLine } from '../../site/ledger/read-ledger.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'portfarm-ledger-bad-')), 'ledger.ndjson');
const line = (builder: string, number: number): string => `${JSON.stringify({ builder, number, url: `https://x.example/${builder}/${String(number)}` })}\n`;
const fixture = join(import.meta.dirname, '..', 'fixtures', 'site', 'ledger.ndjson');

async function readAll(path: string): Promise<{ numbers: string[]; torn: TornLine[] }> {
  const torn: TornLine[] = [];
  const numbers: string[] = [];
  for await (const { entry } of readLedger(path, { onTornLine: (t) => torn.push(t) })) numbers.push(`${entry.builder}#${String(entry.number)}`);
  return { numbers, torn };
}

test('a schema-invalid entry is refused before the ledger is touched: not created, torn tail not repaired', async () => {
  const missing = fresh();
  await assert.rejects(appendBuild(missing, { builder: 'Mirror', url: 'https://x.example/1' }), {
    name: 'UserError',
    message: `ledger entry for Mirror: builder: "Mirror" must be a lower-case builder name, e.g. ports-15_arm64-builder; nothing was written to ${missing}`,
  });
  assert.equal(existsSync(missing), false, 'no ledger created for a refused entry');
  const torn = fresh();
  writeFileSync(torn, `${line('mirror', 1)}{"builder":"mir`);
  const before = readFileSync(torn);
  await assert.rejects(appendBuild(torn, { builder: 'mirror', url: 'ftp://x.example/2' }), { message: /url: "ftp:\/\/x\.example\/2" must be an http\(s\) URL or a path on the site; nothing was written/ });
  await assert.rejects(appendBuild(torn, { builder: 'mirror', number: 1, url: 'https://x.example/1' }), { message: /build 1 of mirror is not above the highest one/ });
  assert.deepEqual(readFileSync(torn), before, 'ledger bytes unchanged, torn tail included');
  assert.deepEqual(readdirSync(join(torn, '..')), ['ledger.ndjson'], 'no lock file left behind');
});

test('a line that is not JSON stops an append with its line number; nothing is written', async () => {
  const ledger = fresh();
  writeFileSync(ledger, `${line('mirror', 1)}\n{not json}\n${line('mirror', 2)}{"builder":"mir`);
  const before = readFileSync(ledger);
  await assert.rejects(appendBuild(ledger, { builder: 'mirror', url: 'https://x.example/3' }), {
    name: 'UserError',
    message: `${ledger}:3: not JSON ("{not json}"); fix or remove that line before appending (nothing was written)`,
  });
  assert.deepEqual(readFileSync(ledger), before);
  // Fixed by hand, the next append goes on from the highest number and repairs the torn tail.
  writeFileSync(ledger, `${line('mirror', 1)}\n${line('mirror', 2)}{"builder":"mir`);
  const appended = await appendBuild(ledger, { builder: 'mirror', url: 'https://x.example/3' });
  assert.equal(appended.entry.number, 3);
  assert.equal(appended.repaired?.line, 4);
  assert.deepEqual((await readAll(ledger)).numbers, ['mirror#1', 'mirror#2', 'mirror#3']);
  // Line numbers stay right for appends served from the remembered scan.
  writeFileSync(ledger, `${readFileSync(ledger, 'utf8')}oops\n`);
  await assert.rejects(appendBuild(ledger, { builder: 'mirror', url: 'https://x.example/4' }), { message: `${ledger}:5: not JSON ("oops"); fix or remove that line before appending (nothing was written)` });
});

test('a line that is not UTF-8 is an error naming its line; a tail torn inside a character is only torn', async () => {
  const ledger = fresh();
  const latin1 = Buffer.from('{"builder":"mirror","number":2,"url":"https://x.example/caf\xe9"}\n', 'latin1');
  writeFileSync(ledger, Buffer.concat([Buffer.from(line('mirror', 1)), latin1, Buffer.from(line('mirror', 3))]));
  await assert.rejects(readAll(ledger), {
    name: 'UserError',
    message: new RegExp(`^${ledger}:2: is not UTF-8 text \\(".*\\.\\.\\."\\); the ledger is UTF-8 JSON, one build per line: fix or remove that line \\(nothing was written\\)$`),
  });
  const cut = Buffer.from('{"builder":"mirror","number":2,"url":"https://x.example/caf\u00e9"}', 'utf8');
  writeFileSync(ledger, Buffer.concat([Buffer.from(line('mirror', 1)), cut.subarray(0, cut.indexOf(0xc3) + 1)]));
  const read = await readAll(ledger);
  assert.deepEqual(read.numbers, ['mirror#1']);
  assert.deepEqual(read.torn, [{ path: ledger, line: 2, bytes: cut.indexOf(0xc3) + 1 }]);
  assert.equal((await appendBuild(ledger, { builder: 'mirror', url: 'https://x.example/2' })).entry.number, 2);
  assert.deepEqual((await readAll(ledger)).numbers, ['mirror#1', 'mirror#2']);
});

test('site build: a non-UTF-8 ledger fails naming the line, the old site stays; a repeated builder and number names its line', async () => {
  const work = mkdtempSync(join(tmpdir(), 'portfarm-site-bad-input-'));
  const ledger = join(work, 'ledger.ndjson');
  copyFileSync(fixture, ledger);
  const site = join(work, 'site');
  assert.equal((await captureCli(['site', 'build', '--ledger', ledger, '--out', site])).code, 0);
  const snapshot = (): string[] => readdirSync(site, { recursive: true }).map(String).sort();
  const before = snapshot();
  const index = readFileSync(join(site, 'map', '_index.json'));
  const good = readFileSync(ledger);
  writeFileSync(ledger, Buffer.concat([good, Buffer.from([0xff, 0xfe, 0x0a])]));
  const bad = await captureCli(['site', 'build', '--ledger', ledger, '--out', site]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, new RegExp(`^portfarm: ${ledger}:9: is not UTF-8 text`));
  assert.deepEqual(snapshot(), before);
  assert.deepEqual(readFileSync(join(site, 'map', '_index.json')), index);
  assert.deepEqual(readdirSync(work).sort(), ['ledger.ndjson', 'site'], 'no temporary folder left');
  const deep = await captureCli(['site', 'build', '--ledger', ledger, '--out', join(work, 'new', 'deeper', 'site')]);
  assert.equal(deep.code, 2);
  assert.deepEqual(readdirSync(work).sort(), ['ledger.ndjson', 'site'], 'a failed first build leaves no folders it created');
  writeFileSync(ledger, Buffer.concat([good, Buffer.from(line('mirror', 7)), Buffer.from(line('mirror', 7))]));
  const repeated = await captureCli(['site', 'build', '--ledger', ledger, '--out', site]);
  assert.equal(repeated.code, 0, repeated.stderr);
  assert.match(repeated.stderr, new RegExp(`site build: 1 line repeated a builder and number of an earlier line; the later line was used \\(first: ${ledger}:10, mirror build 7\\); remove the line that is wrong\n`));
});
