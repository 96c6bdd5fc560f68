import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { UserError } from '../../controller/errors/user-error.ts';
import { appendBuild } from '../../site/ledger/append-build.ts';
import { readLedger, type TornLine } from '../../site/ledger/read-ledger.ts';

const here = import.meta.dirname;
const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'portfarm-ledger-')), 'ledger.ndjson');
const build = (builder: string, extra: object = {}) => ({ builder, url: `https://logs.example.org/${builder}/`, ...extra });

async function readAll(path: string): Promise<{ numbers: string[]; torn: TornLine[] }> {
  const torn: TornLine[] = [];
  const numbers: string[] = [];
  for await (const { entry } of readLedger(path, { onTornLine: (t) => torn.push(t) })) numbers.push(`${entry.builder}#${entry.number}`);
  return { numbers, torn };
}

test('appendBuild numbers each builder on from its highest build, legacy numbers included', async () => {
  const ledger = fresh();
  writeFileSync(
    ledger,
    '{"builder":"ports-10.15_x86_64-builder","number":32503,"url":"https://build.macports.org/old/32503"}\n' +
      '{"builder":"ports-10.15_x86_64-builder","number":32490,"url":"https://build.macports.org/old/32490"}\n',
  );
  const a = await appendBuild(ledger, build('ports-10.15_x86_64-builder', { port: 'curl' }));
  const b = await appendBuild(ledger, build('ports-15_arm64-builder'));
  const c = await appendBuild(ledger, build('ports-10.15_x86_64-builder'));
  assert.deepEqual([a.entry.number, b.entry.number, c.entry.number], [32504, 0, 32505]);
  assert.equal(a.repaired, undefined);
  const lines = readFileSync(ledger, 'utf8').split('\n');
  assert.equal(lines[2], '{"builder":"ports-10.15_x86_64-builder","number":32504,"port":"curl","url":"https://logs.example.org/ports-10.15_x86_64-builder/"}');
  assert.equal(lines.at(-1), '');
});

test('appendBuild sees lines another writer appended since its last append', async () => {
  const ledger = fresh();
  await appendBuild(ledger, build('jobs-www'));
  appendFileSync(ledger, '{"builder":"jobs-www","number":41,"url":"https://x.example/41"}\n');
  assert.equal((await appendBuild(ledger, build('jobs-www'))).entry.number, 42);
});

test('an explicit number must be above the highest one; nothing is written otherwise', async () => {
  const ledger = fresh();
  await appendBuild(ledger, build('mirror', { number: 10 }));
  const before = readFileSync(ledger, 'utf8');
  await assert.rejects(appendBuild(ledger, build('mirror', { number: 10 })), {
    name: 'UserError',
    message: `build 10 of mirror is not above the highest one in ${ledger} (10); leave number out to get the next one, or give a higher number`,
  });
  assert.equal(readFileSync(ledger, 'utf8'), before);
});

test('appendBuild refuses an Actions log URL, which expires, and says what to record instead', async () => {
  const ledger = fresh();
  const entry = build('ports-15_arm64-builder', {
    steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: 'https://github.com/macports/macports-ports/actions/runs/1/job/2' }] }],
  });
  await assert.rejects(appendBuild(ledger, entry), {
    message:
      'ledger entry for ports-15_arm64-builder: steps[0].logs[0].url: "https://github.com/macports/macports-ports/actions/runs/1/job/2" ' +
      'is a GitHub Actions log, which expires after the retention period; record the archived copy (site /logs/… or the object store); ' +
      `nothing was written to ${ledger}`,
  });
  assert.equal(existsSync(ledger), false, 'a refused entry creates no ledger');
});

test('a torn last line is skipped and reported by the reader, then repaired by the next append', async () => {
  const ledger = fresh();
  await appendBuild(ledger, build('mirror'));
  appendFileSync(ledger, '{"builder":"mirror","number":1,"url":"https://x.exa');
  assert.deepEqual(await readAll(ledger), { numbers: ['mirror#0'], torn: [{ path: ledger, line: 2, bytes: 51 }] });
  const next = await appendBuild(ledger, build('mirror'));
  assert.deepEqual(next.repaired, { path: ledger, line: 2, bytes: 51 });
  assert.equal(next.entry.number, 1);
  assert.deepEqual(await readAll(ledger), { numbers: ['mirror#0', 'mirror#1'], torn: [] });
});

test('a last line that lost only its newline is kept, not cut off', async () => {
  const ledger = fresh();
  writeFileSync(ledger, '{"builder":"mirror","number":7,"url":"https://x.example/7"}');
  const next = await appendBuild(ledger, build('mirror'));
  assert.equal(next.entry.number, 8);
  assert.deepEqual(await readAll(ledger), { numbers: ['mirror#7', 'mirror#8'], torn: [] });
});

test('a bad line stops the reader with file, line, key, value and fix', async () => {
  const ledger = fresh();
  writeFileSync(
    ledger,
    '{"builder":"mirror","number":1,"url":"https://x.example/1"}\n' +
      '{"builder":"Ports-15_arm64-builder","number":-3,"url":"https://x.example/2","reslt":"success"}\n',
  );
  await assert.rejects(readAll(ledger), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.equal(
      error.message,
      `${ledger}:2: builder: "Ports-15_arm64-builder" must be a lower-case builder name, e.g. ports-15_arm64-builder; ` +
        'number: -3 must be 0 or more; unknown key reslt (check the spelling); fix or remove that line (nothing was written)',
    );
    return true;
  });
  writeFileSync(ledger, 'not json\n');
  await assert.rejects(readAll(ledger), { message: /^.*ledger\.ndjson:1: not a JSON object \(Unexpected token .*\); fix or remove that line \(nothing was written\)$/ });
});

test('kill -9 during appends: every line is whole or one torn tail, the stale lock is taken over, numbering goes on', async () => {
  const ledger = fresh();
  const child = spawn(process.execPath, [join(here, 'append-loop.ts'), ledger, 'ports-15_arm64-builder', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    seen += text.split('\n').filter(Boolean).length;
    if (seen >= 25) child.kill('SIGKILL');
  });
  await once(child, 'exit');
  const { numbers, torn } = await readAll(ledger);
  assert.ok(torn.length <= 1);
  assert.ok(numbers.length >= 25);
  assert.deepEqual(numbers, numbers.map((_, i) => `ports-15_arm64-builder#${i}`));
  const next = await appendBuild(ledger, build('ports-15_arm64-builder'));
  assert.equal(next.entry.number, numbers.length);
  assert.equal(existsSync(`${ledger}.lock`), false);
});

test('two processes appending at once never share a number', async () => {
  const ledger = fresh();
  const run = async (): Promise<string> => {
    const child = spawn(process.execPath, [join(here, 'append-loop.ts'), ledger, 'ports-14_x86_64-builder', '30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t: string) => (out += t));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    return out;
  };
  const [a, b] = await Promise.all([run(), run()]);
  const all = `${a}${b}`.split('\n').filter(Boolean).map(Number).sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => i));
  assert.equal((await readAll(ledger)).numbers.length, 60);
});

test('the reader\'s fast check never accepts a line the ledger schema rejects, and accepts the usual lines', async () => {
  const { isLedgerEntry } = await import('../../site/ledger/is-ledger-entry.ts');
  const { ledgerEntrySchema } = await import('../../site/ledger/ledger-entry.ts');
  const fixture = readFileSync(join(here, '..', 'fixtures', 'site', 'ledger.ndjson'), 'utf8').split('\n').filter(Boolean);
  const good = fixture.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const value of good) assert.equal(isLedgerEntry(value), true, JSON.stringify(value));
  const base = good[0] ?? {};
  const variants: unknown[] = [
    null, [], 'x', {},
    ...['2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-08-17T21:12Z', '2026-08-17T24:00:00Z', '2026-08-17T21:12:36.5+02:00', '2026-08-17T21:12:36+0200'].map((finishedAt) => ({ ...base, finishedAt })),
    ...[-1, 1.5, 1e9, '3', Number.NaN].map((number) => ({ ...base, number })),
    ...['Ports-x', '_x', 'a/b', ''].map((builder) => ({ ...base, builder })),
    ...['', 'a b', 'ftp://x/y', 'javascript:alert(1)', 'HTTPS://X/y', 'logs/a', '/logs/a'].map((url) => ({ ...base, url })),
    ...['ok', 'exception', undefined].map((result) => ({ ...base, result })),
    ...['a..b', '-x', 'x y', 'py313-numpy'].map((port) => ({ ...base, port })),
    { ...base, extra: 1 },
    { ...base, steps: [{ name: 'x', logs: [{ name: 's', url: 'https://github.com/o/r/actions/runs/1/job/2' }] }] },
    { ...base, steps: [{ name: '', logs: [] }] },
    { ...base, steps: [{ name: 'x', logs: [{ name: 's', url: 'a', extra: 1 }] }] },
    { ...base, steps: {} },
    ...['2026-08-17T21:02:10Z', '2026-02-30T00:00:00Z', 7, ''].map((startedAt) => ({ ...base, startedAt })),
    ...[{ builder: 'ports-15_arm64-watcher', number: 7 }, { builder: 'Ports-x', number: 7 }, { builder: 'ports-15_arm64-watcher', number: -1 }, { builder: 'ports-15_arm64-watcher' }, { builder: 'ports-15_arm64-watcher', number: 1, x: 1 }, [], null].map((watcher) => ({ ...base, watcher })),
    ...['install-port', '', '-x', 'a/b', 3].map((failedStep) => ({ ...base, failedStep })),
    ...['0123abcd', 'ABCD', 'abc', 'g123', 7].map((revision) => ({ ...base, revision })),
  ];
  // The fields a build records since the site serves buildbot JSON are accepted by both.
  const full = { ...base, startedAt: '2026-08-17T21:02:10Z', watcher: { builder: 'ports-15_arm64-watcher', number: 7 }, revision: '0123abcd', failedStep: 'install-port' };
  assert.equal(isLedgerEntry(full), true);
  assert.equal(ledgerEntrySchema.safeParse(full).success, true);
  for (const value of variants) {
    if (isLedgerEntry(value)) assert.equal(ledgerEntrySchema.safeParse(value).success, true, JSON.stringify(value));
  }
});
