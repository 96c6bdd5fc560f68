// ports.macports.org imports build history from the site with plain GETs (no JavaScript): this
// records real-shaped builds the way the controller does (job logs cut into step logs by the
// archiver), builds the site, serves it as GitHub Pages would (`site serve`), and runs an
// importer that follows macports-webapp's models.py line by line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { recordFinishedBuild, type RecordFinishedBuildOptions } from '../../controller/serve/record-finished-build.ts';
import { SITE_LOGS } from '../../controller/serve/record-options-from-config.ts';
import { buildSite, type SiteSummary } from '../../site/build/build-site.ts';
import { resolveInSite } from '../../site/build/resolve-in-site.ts';
import { startSitePreview, type SitePreview } from '../../site/preview/serve-static-site.ts';
import { populate, type ImporterDb } from './buildhistory-importer.ts';

const SITE = 'https://build.macports.org';
const PLATFORM = '15_arm64';
const DAY = 86_400_000;
/** The newest build finishes here; builds 30 days older are outside the 14-day JSON window. */
const NOW = Date.parse('2026-11-26T12:00:00Z');
const REVISION = '70b44a41bbbb627007b18ae0551cddb24c009bf2';

/** Real port names (the MacPorts data set at the repository's side), the odd characters included. */
const ports = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'macports', 'ports.json'), 'utf8')) as { name: string }[])
  .map((p) => p.name)
  .filter((name) => /[._+-]/.test(name))
  .slice(0, 12);

interface Recorded {
  readonly port: string;
  readonly number: number;
  readonly result: 'success' | 'failure';
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly files: readonly string[];
}

const at = (ms: number): string => new Date(ms).toISOString().replace('Z', '0000Z');

/** A builder's job log as GitHub serves it: timestamped lines, the action's groups as `##[group]`. */
function builderJobLog(port: string, start: number, failed: boolean): string {
  const lines = [
    `${at(start)} ##[group]Run macports/portfarm/action@v1`,
    `${at(start)} with:`,
    `${at(start)}   step: install-dependencies`,
    `${at(start)} ##[endgroup]`,
    `${at(start)} ##[group]mpbb install-dependencies -- ${port}`,
    `${at(start)} Installing 0 dependencies of ${port}:`,
    `${at(start)} ##[endgroup]`,
    `${at(start)} ##[group]portfarm log install-dependencies/dependencies`,
    `${at(start)} Installing 0 dependencies of ${port}:`,
    `${at(start)} ##[endgroup]`,
    `${at(start)} ##[group]mpbb install-port -- ${port}`,
    `${at(start)} --->  Building ${port}`,
    `${at(start)} ##[endgroup]`,
  ];
  if (!failed) lines.push(`${at(start)} ##[group]portfarm log install-port/files`, ...filesOf(port).map((f) => `${at(start)} ${f}`), `${at(start)} ##[endgroup]`);
  lines.push(`${at(start)} ##[group]portfarm log install-port/main.log`, `${at(start)} :msg:build --->  Building ${port}`, `${at(start)} ##[endgroup]`);
  return `${lines.join('\n')}\n`;
}

const filesOf = (port: string): string[] => [`  /opt/local/bin/${port}`, `  /opt/local/share/doc/${port}/README`];

function entry(buildId: string, port: string | null, startedAt: number, origin: string | null): QueueEntry {
  return {
    buildId, platform: PLATFORM, kind: port === null ? 'watcher' : 'builder', port, portsRevision: REVISION, state: 'running', seq: 1, enqueuedAt: 0,
    changedPorts: null, force: false, prNumber: null, origin, listIndex: 0, rank: 0, builderClass: 0, head: false, runId: 1, dispatchedAt: startedAt,
    startedAt, listAccepted: true, cancelRequested: false,
  } as unknown as QueueEntry;
}

let dir = '';
let preview: SitePreview | undefined;
let summary: SiteSummary;
const recorded: Recorded[] = [];
let watcherNumber = -1;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portfarm-reader-contract-'));
  const ledgerPath = join(dir, 'ledger.ndjson');
  const archiveDir = join(dir, 'archive');
  const stop = new AbortController();
  const options = (jobLog: string, steps: readonly string[]): RecordFinishedBuildOptions => ({
    ledgerPath,
    siteBaseUrl: SITE,
    maintainersOf: () => [],
    versionOf: () => undefined,
    mail: null,
    log: pino({ level: 'silent' }),
    archive: { dir: archiveDir, url: SITE_LOGS, fetchLog: () => Promise.resolve({ text: jobLog, steps }), attempts: 1, backoffMs: 1, signal: stop.signal },
  });
  // Old builds (outside the window), then a watcher, then its builders: some fail in install-port.
  const builds: { port: string; finishedAt: number; failed: boolean }[] = [
    ...ports.slice(0, 3).map((port, i) => ({ port, finishedAt: NOW - 30 * DAY + i * 60_000, failed: false })),
    ...ports.slice(3).map((port, i) => ({ port, finishedAt: NOW - (ports.length - 3 - i) * 3_600_000, failed: i % 4 === 1 })),
  ];
  let watcherRecorded = false;
  for (const [i, build] of builds.entries()) {
    if (!watcherRecorded && build.finishedAt > NOW - 14 * DAY) {
      const watcher = await recordFinishedBuild(entry('w-1', null, build.finishedAt - 7_200_000, null), 'success', { runId: 100, at: new Date(build.finishedAt - 7_100_000), failedPhase: null, logTail: '' }, options('', ['Set up job', 'watcher: list subports']));
      watcherNumber = watcher.ledger.number;
      watcherRecorded = true;
    }
    const startedAt = build.finishedAt - (600_000 + i * 1000);
    const result = build.failed ? 'failure' : 'success';
    const steps = ['Set up job', 'builder: install dependencies', 'builder: install port'];
    const done = await recordFinishedBuild(
      entry(`b-${i}`, build.port, startedAt, watcherRecorded ? 'w-1' : null),
      result,
      { runId: 200 + i, at: new Date(build.finishedAt), failedPhase: build.failed ? 'install-port' : null, logTail: '' },
      options(builderJobLog(build.port, startedAt, build.failed), steps),
    );
    recorded.push({ port: build.port, number: done.ledger.number, result, startedAt, finishedAt: build.finishedAt, files: build.failed ? [] : filesOf(build.port).map((f) => `${f}\n`) });
  }
  summary = await buildSite({ ledgerPath, outDir: join(dir, 'site'), baseUrl: SITE, logArchiveDir: archiveDir, onTornLine: () => assert.fail('torn line'), onUnsafeUrl: (bad) => assert.fail(bad.problem) });
  preview = await startSitePreview({ dir: join(dir, 'site'), host: '127.0.0.1', port: 0 });
});

after(async () => {
  await preview?.close();
});

const inWindow = (): Recorded[] => recorded.filter((b) => b.finishedAt > NOW - 14 * DAY);

test('the site has real JSON files for the builds of the window and -1, and installed-files lists for those that built', () => {
  assert.equal(summary.jsonFiles, inWindow().length + 1 + 2, 'the builder window, the watcher, and -1 of each');
  assert.equal(summary.filesLogs, inWindow().filter((b) => b.result === 'success').length);
});

test('the ledger records each build\'s start, its watcher (found by the watcher\'s build id), failed step and commit', () => {
  const lines = readFileSync(join(dir, 'ledger.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const builders = lines.filter((l) => l.builder === `ports-${PLATFORM}-builder`);
  assert.deepEqual(
    builders.map((l) => [l.number, l.startedAt, l.watcher, l.failedStep, l.revision]),
    recorded.map((b, i) => [
      b.number,
      new Date(b.startedAt).toISOString(),
      // The old builds came before any watcher was recorded.
      i < 3 ? undefined : { builder: `ports-${PLATFORM}-watcher`, number: watcherNumber },
      b.result === 'failure' ? 'install-port' : undefined,
      REVISION,
    ]),
  );
});

test('an importer doing what ports.macports.org does imports every build of the window with port, status words, times, watcher and files', async () => {
  const window = inWindow();
  const first = window[0];
  assert.ok(first !== undefined && preview !== undefined);
  const db: ImporterDb = { builders: [PLATFORM], builds: [] };
  // The web app's database already holds the build before the window; the next import fetches the rest.
  db.builds.push({ builder: PLATFORM, buildnr: first.number - 1, name: 'x', status: '', url: '', watcherId: 0, watcherUrl: '', timeStart: '', buildtime: null, files: [] });
  await populate(db, preview.url.replace(/\/$/, ''));
  const imported = db.builds.slice(1);
  // models.py imports up to the build before the newest (range(first, last)): the newest comes with the next import.
  assert.deepEqual(
    imported,
    window.slice(0, -1).map((b) => ({
      name: b.port,
      url: `${preview?.url ?? ''}builders/ports-${PLATFORM}-builder/builds/${b.number}`,
      watcherId: watcherNumber,
      watcherUrl: `${SITE}/builders/ports-${PLATFORM}-watcher/builds/${watcherNumber}`,
      status: b.result === 'success' ? 'build successful' : 'failed install-port',
      builder: PLATFORM,
      buildnr: b.number,
      timeStart: `${new Date(b.startedAt).toISOString().slice(0, 19).replace('T', ' ')}+00:00`,
      buildtime: `0:${String(Math.floor((b.finishedAt - b.startedAt) / 60_000)).padStart(2, '0')}:${String(Math.floor(((b.finishedAt - b.startedAt) % 60_000) / 1000)).padStart(2, '0')}`,
      files: b.files,
    })),
  );
  assert.ok(imported.some((b) => b.files.length > 0) && imported.some((b) => b.status === 'failed install-port'), 'the window has both kinds');
});

test('a first import (nothing in the database) takes the last BUILDS_FETCHED_COUNT builds, all inside the window', async () => {
  assert.ok(preview !== undefined);
  const db: ImporterDb = { builders: [PLATFORM, '10.6_i386'], builds: [] };
  await populate(db, preview.url.replace(/\/$/, ''));
  const last = recorded.at(-1)?.number ?? -1;
  assert.deepEqual(db.builds.map((b) => b.buildnr), [last - 5, last - 4, last - 3, last - 2, last - 1]);
});

test('older builds have no JSON file but stay reachable for people through the router, with the same JSON', async () => {
  const old = recorded[0];
  assert.ok(old !== undefined && preview !== undefined);
  const response = await fetch(`${preview.url}json/builders/ports-${PLATFORM}-builder/builds/${old.number}`);
  assert.equal(response.status, 404);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  await response.body?.cancel();
  const json = JSON.parse((await resolveInSite(join(dir, 'site'), `/json/builders/ports-${PLATFORM}-builder/builds/${old.number}`)).output) as { properties: unknown[][]; times: number[] };
  assert.ok(json.properties.some((p) => p[0] === 'portname' && p[1] === old.port));
  assert.deepEqual(json.times, [old.startedAt / 1000, old.finishedAt / 1000]);
  // A window build: the file and the router's answer are the same JSON.
  const recent = inWindow()[0];
  assert.ok(recent !== undefined);
  const file = await (await fetch(`${preview.url}json/builders/ports-${PLATFORM}-builder/builds/${recent.number}`)).text();
  assert.deepEqual(JSON.parse(file), JSON.parse((await resolveInSite(join(dir, 'site'), `/json/builders/ports-${PLATFORM}-builder/builds/${recent.number}`)).output));
});

test('every legacy step-log address leads to that log itself, and a failed build says which of its logs were not kept', async () => {
  const built = inWindow().find((b) => b.result === 'success');
  const failed = inWindow().find((b) => b.result === 'failure');
  assert.ok(built !== undefined && failed !== undefined);
  const site = join(dir, 'site');
  const logOf = async (number: number, step: string, log: string): Promise<string> =>
    (await resolveInSite(site, `/builders/ports-${PLATFORM}-builder/builds/${number}/steps/${step}/logs/${log}`)).output;
  for (const [step, log] of [['install-port', 'stdio'], ['install-port', 'files'], ['install-port', 'main.log'], ['install-dependencies', 'stdio'], ['install-dependencies', 'dependencies']] as const) {
    assert.match(await logOf(built.number, step, log), new RegExp(`/logs/b-\\d+/${step}/${log.replace('.', '\\.')}\\.txt\\.gz$`), `${step} ${log}`);
  }
  const page = readFileSync(join(dir, 'archive', `b-${recorded.indexOf(failed)}`, 'index.html'), 'utf8');
  assert.match(page, /install-port · files: not kept \(the job log holds no copy of mpbb's port-contents\.txt/);
  assert.match(page, /install-port · statistics: not kept/);
  assert.doesNotMatch(page, /main\.log: not kept/);
  // Without a files log the address falls back to the build page, which says why.
  assert.match(await logOf(failed.number, 'install-port', 'files'), /\/logs\/b-\d+\/index\.html$/);
});
