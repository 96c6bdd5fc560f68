// Per-step logs: cut out of the job log GitHub serves, or copied out of a VM the backend can
// reach; either way linked from the ledger under buildbot's step and log names.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import pino from 'pino';
import { collectStepLogs } from '../../controller/demo/collect-step-logs.ts';
import { splitStepLogs } from '../../controller/logs/split-step-logs.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { recordFinishedBuild } from '../../controller/serve/record-finished-build.ts';

test('the job log is cut at the action\'s groups: GitHub\'s timestamps and CRs go, odd names and other groups are left alone', () => {
  const t = '2026-11-26T09:00:00.1234567Z ';
  const log = [
    `${t}##[group]Run macports/portfarm/action@v1`,
    `${t}with:`,
    `${t}##[endgroup]`,
    `${t}##[group]mpbb install-port --mirrordb-url=https://x -- curl\r`,
    `${t}--->  Building curl\r`,
    // A new group ends the one before (GitHub does not nest them).
    `${t}##[group]portfarm log install-port/files`,
    `${t}  /opt/local/bin/curl`,
    `${t}##[endgroup]`,
    `${t}##[group]portfarm log ../../etc/passwd`,
    'evil',
    `${t}##[endgroup]`,
    `${t}##[group]portfarm log install-port/main.log`,
    `${t}:msg:build cut off here`,
  ].join('\n');
  assert.deepEqual(Object.fromEntries(splitStepLogs(log)), {
    'install-port/stdio': '--->  Building curl\n',
    'install-port/files': '  /opt/local/bin/curl\n',
    'install-port/main.log': ':msg:build cut off here\n',
  });
});

test('logs a backend copied out of the VM are linked even when the job log could not be archived', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-step-logs-'));
  const mpbbLogs = join(dir, 'vm', 'mpbb-work', 'logs');
  mkdirSync(mpbbLogs, { recursive: true });
  writeFileSync(join(mpbbLogs, 'port-contents.txt'), '  /opt/local/bin/curl\n');
  writeFileSync(join(mpbbLogs, 'dependencies-progress.txt'), 'Installing 0 dependencies of curl:\n');
  writeFileSync(join(mpbbLogs, 'ports-progress.txt'), 'not a step log\n');
  const archive = join(dir, 'archive');
  assert.equal(await collectStepLogs(mpbbLogs, join(archive, 'b-9')), 2);
  assert.equal(gunzipSync(readFileSync(join(archive, 'b-9', 'install-port', 'files.txt.gz'))).toString('utf8'), '  /opt/local/bin/curl\n');
  const entry = { buildId: 'b-9', platform: '15_arm64', kind: 'builder', port: 'curl', portsRevision: 'abc1234', origin: null, startedAt: null } as unknown as QueueEntry;
  const recorded = await recordFinishedBuild(entry, 'success', { runId: 9, at: new Date('2026-11-26T09:00:00Z'), failedPhase: null, logTail: '' }, {
    ledgerPath: join(dir, 'ledger.ndjson'),
    siteBaseUrl: 'https://build.macports.org',
    maintainersOf: () => [],
    versionOf: () => undefined,
    mail: null,
    log: pino({ level: 'silent' }),
    archive: { dir: archive, url: 'logs', fetchLog: () => Promise.reject(new Error('HTTP 410: gone')), attempts: 1, backoffMs: 1, signal: new AbortController().signal },
  });
  assert.deepEqual(recorded.ledger.steps, [
    { name: 'install-dependencies', logs: [{ name: 'stdio', url: 'logs/b-9/index.html' }, { name: 'dependencies', url: 'logs/b-9/install-dependencies/dependencies.txt.gz' }] },
    { name: 'install-port', logs: [{ name: 'stdio', url: 'logs/b-9/index.html' }, { name: 'files', url: 'logs/b-9/install-port/files.txt.gz' }] },
  ]);
  const page = readFileSync(join(archive, 'b-9', 'index.html'), 'utf8');
  assert.match(page, /No log: the job log could not be archived from GitHub after 1 tries: HTTP 410: gone/);
  assert.match(page, /<a href="logs\/b-9\/install-port\/files\.txt\.gz">install-port · files<\/a>/);
  // No start, watcher or failed step known: the line leaves them out; the commit is kept.
  assert.deepEqual([recorded.ledger.startedAt, recorded.ledger.watcher, recorded.ledger.failedStep, recorded.ledger.revision], [undefined, undefined, undefined, 'abc1234']);
});
