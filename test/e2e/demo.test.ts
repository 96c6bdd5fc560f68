import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { readLedger } from '../../site/ledger/read-ledger.ts';

const run = promisify(execFile);

test('npm start (portfarm demo) runs the whole farm offline: nothing lost, duplicated or left behind; a PR gets its checks, unmailed and undeployed', { timeout: 360_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-demo-'));
  const { stdout } = await run(process.execPath, ['controller/cli/main.ts', 'demo', '--duration', '30', '--boot', '500', '--json', '--dir', dir], { maxBuffer: 10_000_000 });
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

  // The contributor's PR (3proxy 0.9.8 breaks, aq 0.6.1 builds) ran ports-pr.yml on the same hosts:
  // one GitHub Actions check per port and platform on the PR head, linked to the job's log.
  const prCheckRuns = summary.prCheckRuns as unknown as { name: string; conclusion: string; detailsUrl: string }[];
  assert.deepEqual(prCheckRuns.map((c) => `${c.name.replace(/, PR #\d+\)$/, ')')}: ${c.conclusion}`).sort(), [
    'builder 3proxy (14_x86_64): failure',
    'builder 3proxy (15_arm64): failure',
    'builder aq (14_x86_64): success',
    'builder aq (15_arm64): success',
  ]);
  for (const check of prCheckRuns) assert.match(check.detailsUrl, /^https:\/\/github\.com\/macports\/macports-ports\/actions\/runs\/\d+\/job\/\d+$/);
  assert.deepEqual([summary.prChecks, summary.prFailures], [4, 2]);
  // The PR failure is the author's check, not maintainers' mail (every mail is about a master build, above).
  for (const mail of readdirSync(join(dir, 'outbox'))) assert.doesNotMatch(readFileSync(join(dir, 'outbox', mail), 'utf8'), /3proxy/);
  // Nothing from the PR was deployed or mirrored: its versions exist only in its list job's quarantine.
  const tree = (root: string): string[] => (existsSync(root) ? readdirSync(root, { recursive: true, encoding: 'utf8' }) : []);
  const prVersions = /3proxy-0\.9\.8|aq-0\.6\.1/;
  assert.deepEqual(tree(join(dir, 'packages')).filter((f) => prVersions.test(f)), []);
  assert.deepEqual(tree(join(dir, 'distfiles')).filter((f) => prVersions.test(f)), []);
  const quarantine = summary.quarantine as unknown as string[];
  assert.deepEqual(quarantine.flatMap(tree).filter((f) => f.endsWith('.tar.gz')).sort(), ['3proxy/3proxy-0.9.8.tar.gz', 'aq/aq-0.6.1.tar.gz']);
});
