// A builder learns its watcher's number from the ledger, by the watcher's build id in its log URL.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findLedgerBuild } from '../../controller/serve/find-ledger-build.ts';

test('the newest line naming the build is found across read chunks; a build not in the searched tail is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-find-ledger-'));
  const ledger = join(dir, 'ledger.ndjson');
  const line = (builder: string, number: number, id: string): string => `${JSON.stringify({ builder, number, url: `logs/${id}/index.html`, pad: 'x'.repeat(200) })}\n`;
  let text = line('ports-15_arm64-watcher', 7, 'w-old');
  for (let i = 0; i < 12_000; i += 1) text += line('ports-15_arm64-builder', i, `b-${i}`);
  text += line('ports-15_arm64-watcher', 8, 'w-1');
  for (let i = 12_000; i < 20_000; i += 1) text += line('ports-15_arm64-builder', i, `b-${i}`);
  writeFileSync(ledger, text);
  assert.ok(text.length > 3 << 20, 'more than a few read chunks');
  assert.deepEqual(await findLedgerBuild(ledger, 'w-1'), { builder: 'ports-15_arm64-watcher', number: 8 });
  assert.deepEqual(await findLedgerBuild(ledger, 'b-5000'), { builder: 'ports-15_arm64-builder', number: 5000 });
  assert.deepEqual(await findLedgerBuild(ledger, 'w-old'), { builder: 'ports-15_arm64-watcher', number: 7 }, 'the first line');
  // `b-1` must not match `b-19999`'s URL: the id is looked for between slashes.
  assert.deepEqual(await findLedgerBuild(ledger, 'b-1'), { builder: 'ports-15_arm64-builder', number: 1 });
  assert.equal(await findLedgerBuild(ledger, 'w-old', 1 << 20), undefined, 'older than the searched tail');
  assert.equal(await findLedgerBuild(join(dir, 'none.ndjson'), 'w-1'), undefined);
});

test('a build is found whether the ledger names its archive absolutely or relative to the site (no site.logArchiveUrl), never by a longer id', async () => {
  const { ledgerHasBuild } = await import('../../controller/serve/ledger-has-build.ts');
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-find-ledger-'));
  const ledger = join(dir, 'ledger.ndjson');
  writeFileSync(
    ledger,
    `${JSON.stringify({ builder: 'ports-15_arm64-builder', number: 3, url: 'logs/b-10/index.html' })}\n` +
      `${JSON.stringify({ builder: 'ports-15_arm64-builder', number: 4, url: 'https://build.macports.org/logs/b-20/index.html' })}\n`,
  );
  // Before: a relative line was never found, so a build recorded before a crash was recorded again.
  assert.equal(await ledgerHasBuild(ledger, 'b-10'), true);
  assert.equal(await ledgerHasBuild(ledger, 'b-20'), true);
  assert.equal(await ledgerHasBuild(ledger, 'b-1'), false);
  assert.equal(await ledgerHasBuild(ledger, 'b-2'), false);
  assert.deepEqual(await findLedgerBuild(ledger, 'b-20'), { builder: 'ports-15_arm64-builder', number: 4 });
  assert.equal(await findLedgerBuild(ledger, 'b-1'), undefined);
});
