import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runOnUntilBuilt } from '../../controller/demo/run-on-until-built.ts';
import { appendBuild } from '../../site/ledger/append-build.ts';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'portfarm-runon-')), 'ledger.ndjson');
const build = (builder: string) => ({ builder, url: `https://logs.example.org/${builder}/` });

test('the demo runs on past its time until each platform\'s builder has recorded its port builds, and says so once', async () => {
  const ledger = fresh();
  await appendBuild(ledger, build('ports-15_arm64-watcher'));
  await appendBuild(ledger, build('ports-15_arm64-builder'));
  const said: string[] = [];
  const stop = new AbortController();
  const running = runOnUntilBuilt({ ledgerPath: ledger, platforms: ['15_arm64', '14_x86_64'], perPlatform: 2, limitMs: 60_000, signal: stop.signal, say: (line) => { said.push(line); } });
  // Watchers do not count; the builds come in while it waits.
  await new Promise((resolve) => setTimeout(resolve, 700));
  await appendBuild(ledger, build('ports-14_x86_64-watcher'));
  await appendBuild(ledger, build('ports-14_x86_64-builder'));
  await appendBuild(ledger, build('ports-14_x86_64-builder'));
  await appendBuild(ledger, build('ports-15_arm64-builder'));
  assert.deepEqual(await running, []);
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0] ?? '', /^time is up, but 15_arm64, 14_x86_64 have built fewer than 2 ports .*60 s at most$/);
});

test('with every platform built it returns at once and says nothing; past its limit it stops and names the platforms still short', async () => {
  const ledger = fresh();
  for (const b of ['ports-a_arm64-builder', 'ports-a_arm64-builder', 'ports-b_x86_64-builder']) await appendBuild(ledger, build(b));
  const said: string[] = [];
  const signal = new AbortController().signal;
  assert.deepEqual(await runOnUntilBuilt({ ledgerPath: ledger, platforms: ['a_arm64'], perPlatform: 2, limitMs: 0, signal, say: (l) => { said.push(l); } }), []);
  assert.equal(said.length, 0, said.join('\n'));
  assert.deepEqual(await runOnUntilBuilt({ ledgerPath: ledger, platforms: ['a_arm64', 'b_x86_64'], perPlatform: 2, limitMs: 600, signal, say: (l) => { said.push(l); } }), ['b_x86_64']);
  assert.match(said.at(-1) ?? '', /^still no 2 port builds on b_x86_64 after 1 s more: stopping anyway$/);
  // No ledger yet (nothing recorded): every platform is short.
  assert.deepEqual(await runOnUntilBuilt({ ledgerPath: join(tmpdir(), 'portfarm-no-such-ledger.ndjson'), platforms: ['a_arm64'], perPlatform: 1, limitMs: 0, signal, say: () => undefined }), ['a_arm64']);
});
