import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { readLedger } from '../../site/ledger/read-ledger.ts';

const run = promisify(execFile);

test('npm start (portfarm demo) runs the whole farm offline: nothing lost, duplicated or left behind', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-demo-'));
  const { stdout } = await run(process.execPath, ['controller/cli/main.ts', 'demo', '--duration', '24', '--boot', '500', '--json', '--dir', dir], { maxBuffer: 10_000_000 });
  const summary = JSON.parse(stdout) as Record<string, number | string>;
  assert.deepEqual(
    { lost: summary.lost, duplicated: summary.duplicated, leftoverVMs: summary.leftoverVMs, leftoverRunners: summary.leftoverRunners, schemaViolations: summary.schemaViolations },
    { lost: 0, duplicated: 0, leftoverVMs: 0, leftoverRunners: 0, schemaViolations: 0 },
  );
  for (const key of ['commits', 'builds', 'buildersQueued', 'checkRuns', 'apiCalls']) assert.ok(Number(summary[key]) > 0, `${key} = ${String(summary[key])}`);
  // The ledger is whole (no torn line) and the site was written from it.
  let lines = 0;
  let failedBuilders = 0;
  for await (const { entry } of readLedger(join(dir, 'state', 'ledger.ndjson'), { onTornLine: (torn) => { assert.fail(`torn ledger line ${torn.line}`); } })) {
    assert.match(entry.builder, /^ports-(15_arm64|14_x86_64)-(watcher|builder)$/);
    lines += 1;
    if (entry.builder.endsWith('-builder') && entry.result === 'failure') failedBuilders += 1;
  }
  assert.equal(lines, summary.builds);
  // Every failed port build is mailed once, through SMTP (a failed watcher has no port to mail about).
  assert.equal(summary.mailsSent, failedBuilders);
  assert.equal(readdirSync(join(dir, 'outbox')).length, summary.mailsSent);
  for (const mail of readdirSync(join(dir, 'outbox'))) {
    assert.match(readFileSync(join(dir, 'outbox', mail), 'utf8'), /^Subject: \[portfarm\] mlx @\S+ failed on \S+ \(install-port\)$/m);
  }
  assert.ok(existsSync(join(dir, 'site', 'index.html')));
  assert.ok(existsSync(join(dir, 'site', '404.html')));
});
