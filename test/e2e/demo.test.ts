import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { readLedger } from '../../site/ledger/read-ledger.ts';
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import { startSitePreview } from '../../site/preview/serve-static-site.ts';
import { populate, type ImporterDb } from '../site/buildhistory-importer.ts';

const run = promisify(execFile);

/** What a failure needs to explain itself: the exit, the whole summary, stderr and the controller's log. */
function explain(dir: string, outcome: { code: number | string | null; stdout: string; stderr: string }): string {
  const log = existsSync(join(dir, 'controller.log')) ? readFileSync(join(dir, 'controller.log'), 'utf8').trimEnd().split('\n') : [];
  const problems = log.filter((line) => /"level":(40|50|60)/.test(line));
  return [
    `--- demo in ${dir}: exit ${String(outcome.code)}`,
    `--- summary (stdout): ${outcome.stdout.trim() || '(none)'}`,
    `--- stderr (last 20 lines):\n${outcome.stderr.trimEnd().split('\n').slice(-20).join('\n')}`,
    `--- controller.log warnings and errors (${String(problems.length)}, last 30):\n${problems.slice(-30).join('\n')}`,
    `--- controller.log (last 40 of ${String(log.length)} lines):\n${log.slice(-40).join('\n')}`,
  ].join('\n');
}

test('npm start (portfarm demo) runs the whole farm offline: nothing lost, duplicated or left behind; a PR gets its checks, unmailed and undeployed', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-demo-'));
  const outcome = await run(process.execPath, ['controller/cli/main.ts', 'demo', '--duration', '60', '--boot', '500', '--json', '--dir', dir], { maxBuffer: 10_000_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => {
      const failed = error as { code?: number | string; stdout?: string; stderr?: string; message?: string };
      return { code: failed.code ?? null, stdout: failed.stdout ?? '', stderr: failed.stderr ?? failed.message ?? '' };
    },
  );
  try {
    await checkDemo(dir, outcome);
  } catch (caught) {
    // The assertion alone does not say why a farm run went wrong: add everything it left.
    throw new Error(`${caught instanceof Error ? caught.message : String(caught)}\n${explain(dir, outcome)}`, { cause: caught });
  }
});

async function checkDemo(dir: string, outcome: { code: number | string | null; stdout: string }): Promise<void> {
  assert.equal(outcome.code, 0, 'portfarm demo exits 0');
  const { stdout } = outcome;
  const summary = JSON.parse(stdout) as Record<string, number | string>;
  assert.deepEqual(
    { lost: summary.lost, duplicated: summary.duplicated, leftoverVMs: summary.leftoverVMs, leftoverRunners: summary.leftoverRunners, schemaViolations: summary.schemaViolations },
    { lost: 0, duplicated: 0, leftoverVMs: 0, leftoverRunners: 0, schemaViolations: 0 },
  );
  for (const key of ['commits', 'builds', 'buildersQueued', 'checkRuns', 'apiCalls']) assert.ok(Number(summary[key]) > 0, `${key} = ${String(summary[key])}`);
  // The ledger is whole (no torn line) and the site was written from it.
  let lines = 0;
  let failedBuilders = 0;
  let archived = 0;
  for await (const { entry } of readLedger(join(dir, 'state', 'ledger.ndjson'), { onTornLine: (torn) => { assert.fail(`torn ledger line ${torn.line}`); } })) {
    assert.match(entry.builder, /^ports-(15_arm64|14_x86_64)-(watcher|builder)$/);
    lines += 1;
    if (entry.builder.endsWith('-builder') && entry.result === 'failure') failedBuilders += 1;
    // The controller archived the job log from GitHub (the double) and the site serves the copy.
    const logs = new Set([entry.url, ...(entry.steps ?? []).flatMap((s) => s.logs.map((l) => l.url))]);
    for (const url of logs) {
      // Relative to the site, so the demo's site links its own copies offline (site serve).
      assert.match(url, /^logs\/[a-z0-9-]+\/(index\.html|stdio\.txt\.gz|[a-z-]+\/[a-z.]+\.txt\.gz)$/);
      assert.ok(existsSync(join(dir, 'site', url)), `${url} is in the site`);
    }
    archived += logs.size > 1 ? 1 : 0;
  }
  assert.equal(lines, summary.builds);
  assert.ok(archived > 0, 'some job logs were archived');
  // Every failed port build is mailed once, through SMTP (a failed watcher has no port to mail about).
  assert.equal(summary.mailsSent, failedBuilders);
  assert.equal(readdirSync(join(dir, 'outbox')).length, summary.mailsSent);
  for (const mail of readdirSync(join(dir, 'outbox'))) {
    assert.match(readFileSync(join(dir, 'outbox', mail), 'utf8'), /^Subject: \[portfarm\] mlx @\S+ failed on \S+ \(install-port\)$/m);
  }
  assert.ok(existsSync(join(dir, 'site', 'index.html')));
  assert.ok(existsSync(join(dir, 'site', '404.html')));
  // The summary says how to follow a legacy address to its log offline.
  assert.match(String(summary.siteServe), /^npx portfarm site serve --dir \S+\/site {3}then open http:\/\/127\.0\.0\.1:8000\/builders\/ports-\S+-(watcher|builder)\/builds\/\d+$/);
  await checkReaderImport(dir);

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
}

/**
 * ports.macports.org's importer (after macports-webapp's models.py) reads the demo's site as
 * GitHub Pages would serve it: every builder build but the newest (which models.py leaves for
 * the next import) with its port, status words, start, watcher and installed files.
 */
async function checkReaderImport(dir: string): Promise<void> {
  const builds: LedgerEntry[] = [];
  for await (const { entry } of readLedger(join(dir, 'state', 'ledger.ndjson'), { onTornLine: () => undefined })) if (entry.builder.endsWith('-builder')) builds.push(entry);
  const preview = await startSitePreview({ dir: join(dir, 'site'), host: '127.0.0.1', port: 0 });
  try {
    const platforms = ['15_arm64', '14_x86_64'];
    // A database that has nothing yet before each builder's first build, so the import starts there.
    const db: ImporterDb = { builders: platforms, builds: [] };
    for (const platform of platforms) {
      const first = Math.min(...builds.filter((b) => b.builder === `ports-${platform}-builder`).map((b) => b.number));
      db.builds.push({ builder: platform, buildnr: first - 1, name: '', status: '', url: '', watcherId: 0, watcherUrl: '', timeStart: '', buildtime: null, files: [] });
    }
    await populate(db, preview.url.replace(/\/$/, ''));
    const imported = db.builds.slice(platforms.length);
    const expected = builds.filter((b) => b.number < Math.max(...builds.filter((o) => o.builder === b.builder).map((o) => o.number)));
    assert.ok(builds.length > 0, 'the demo recorded port builds');
    assert.equal(imported.length, expected.length, 'every builder build but each builder\'s newest is imported');
    // The newest, which models.py leaves for its next import, is the real file it reads first.
    for (const platform of platforms) {
      const newest = builds.filter((b) => b.builder === `ports-${platform}-builder`).sort((a, b) => b.number - a.number)[0];
      if (newest === undefined) continue;
      const response = await fetch(`${preview.url}json/builders/ports-${platform}-builder/builds/-1`);
      assert.equal(response.status, 200);
      const json = (await response.json()) as { number: number; properties: [string, unknown, string][] };
      assert.deepEqual([json.number, json.properties.find((p) => p[0] === 'portname')?.[1]], [newest.number, newest.port]);
    }
    for (const got of imported) {
      const want = expected.find((b) => b.builder === `ports-${got.builder}-builder` && b.number === got.buildnr);
      assert.ok(want !== undefined, `imported ${got.builder} ${got.buildnr} is in the ledger`);
      assert.equal(got.name, want.port);
      assert.equal(got.status, want.result === 'success' ? 'build successful' : want.result === 'failure' ? `failed ${want.failedStep ?? ''}`.trim() : 'exception interrupted');
      assert.equal(got.timeStart, `${(want.startedAt ?? want.finishedAt ?? '').slice(0, 19).replace('T', ' ')}+00:00`);
      if (want.watcher !== undefined) assert.equal(got.watcherId, want.watcher.number);
      // The mpbb double's `port contents` of a port that installed; none for one that failed.
      const files = want.result === 'success' ? [`  /opt/local/bin/${want.port ?? ''}\n`, `  /opt/local/share/doc/${want.port ?? ''}/README\n`, `  /opt/local/share/man/man1/${want.port ?? ''}.1.gz\n`] : [];
      assert.deepEqual(got.files, files, `${got.builder} ${got.buildnr} (${want.port ?? ''})`);
    }
    assert.ok(builds.some((b) => b.watcher !== undefined), 'builders record the watcher that listed them');
  } finally {
    await preview.close();
  }
}
