// Logs outlive GitHub's retention: a finished build's job log is downloaded from GitHub (the
// double, which answers the log request with a redirect as GitHub does), archived gzipped, the
// ledger links the copy, and the site built from the ledger serves it. A download that keeps
// failing still records the build, with a page that says why.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../controller/config/config-error.ts';
import { parseConfig } from '../../controller/config/load-config.ts';
import { gunzipSync } from 'node:zlib';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { fetchJobLog } from '../../controller/logs/fetch-job-log.ts';
import { SITE_LOGS } from '../../controller/serve/record-options-from-config.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { recordFinishedBuild, type RecordFinishedBuildOptions } from '../../controller/serve/record-finished-build.ts';
import { buildSite } from '../../site/build/build-site.ts';
import { resolveInSite } from '../../site/build/resolve-in-site.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';
import { captureLog } from '../github/capture-log.ts';

const owner = 'macports';
const repo = 'macports-ports';
const SITE = 'https://build.example.org';

describe('job log archive', () => {
  let double: GitHubDouble;
  let clients: GitHubClients;
  const stop = new AbortController();
  const { log, entries } = captureLog();

  /** Runs one builder job on the double (install-port fails) and returns its run id. */
  async function finishedRun(buildId: string): Promise<number> {
    const dispatched = await clients.installation.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner,
      repo,
      workflow_id: 'ports.yml',
      ref: 'master',
      inputs: { platform: '15_arm64', portname: 'curl', build_id: buildId, ports_sha: 'abc1234' },
      return_run_details: true,
    });
    const runId = (dispatched.data as { workflow_run_id: number }).workflow_run_id;
    const jit = await clients.installation.rest.actions.generateRunnerJitconfigForRepo({ owner, repo, name: `vm-${buildId}`, runner_group_id: 1, labels: [`portfarm-build-${buildId}`, '15_arm64'] });
    const runner = startRunnerStandIn({
      encodedJitConfig: jit.data.encoded_jit_config,
      runStep: (step) => Promise.resolve(step.name === 'builder: install port' ? 'failure' : 'success'),
    });
    assert.equal((await runner.exited).conclusion, 'failure');
    return runId;
  }

  function queued(buildId: string): QueueEntry {
    return {
      buildId, platform: '15_arm64', kind: 'builder', port: 'curl', portsRevision: 'abc1234', state: 'running', seq: 1, enqueuedAt: 0, changedPorts: null, force: false,
      prNumber: null, origin: null, listIndex: 0, rank: 0, builderClass: 'normal', head: false, runId: null, dispatchedAt: null, startedAt: null, listAccepted: false, cancelRequested: false,
    } as unknown as QueueEntry;
  }

  function options(dir: string): RecordFinishedBuildOptions {
    return {
      ledgerPath: join(dir, 'ledger.ndjson'),
      siteBaseUrl: SITE,
      maintainersOf: () => [],
      versionOf: () => undefined,
      mail: null,
      log,
      archive: {
        dir: join(dir, 'archive'),
        url: `${SITE}/logs`,
        fetchLog: (runId, signal) => fetchJobLog(clients.installation, { owner, repo }, runId, signal),
        attempts: 2,
        backoffMs: 1,
        signal: stop.signal,
      },
    };
  }

  before(async () => {
    double = await startGitHubDouble({ repo: `${owner}/${repo}`, defaultBranch: 'master' });
    // No octokit retries: the archiver's own retries are what is tested.
    clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner, repo, writeSpacingMs: 0, retries: 0, log }, stop.signal);
  });
  after(async () => {
    stop.abort();
    await double.close();
    double.assertNoViolations();
  });

  test('a finished build: job log from GitHub → gzip in the archive → ledger URL → the site serves it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-log-archive-'));
    const runId = await finishedRun('la1');
    const recorded = await recordFinishedBuild(queued('la1'), 'failure', { runId, at: new Date('2026-11-26T09:00:00Z'), failedPhase: 'install-port', logTail: '' }, options(dir));
    const logUrl = `${SITE}/logs/la1/stdio.txt.gz`;
    assert.equal(recorded.ledger.url, `${SITE}/logs/la1/index.html`);
    // Every step that ran links the one job log, under its buildbot-style name.
    assert.deepEqual(recorded.ledger.steps?.map((s) => `${s.name} ${s.logs.map((l) => l.url).join()}`), [
      `set-up-job ${logUrl}`, `fetch-mpbb ${logUrl}`, `cleanup ${logUrl}`, `selfupdate-macports ${logUrl}`, `sync-ports-tree ${logUrl}`,
      `install-dependencies ${logUrl}`, `install-port ${logUrl}`,
    ]);
    // The GitHub log, as the double served it after the redirect, gzipped in the archive.
    const text = gunzipSync(readFileSync(join(dir, 'archive', 'la1', 'stdio.txt.gz'))).toString('utf8');
    assert.match(text, /##\[group\]Run builder: install port\n\S+ builder: install port: failure\n/);
    assert.match(readFileSync(join(dir, 'archive', 'la1', 'index.html'), 'utf8'), /<a href="https:\/\/build\.example\.org\/logs\/la1\/stdio\.txt\.gz">Job log \(stdio\)<\/a>/);
    assert.ok(double.requests.some((r) => r.operation === 'actions/download-job-logs-for-workflow-run' && r.status === 302));

    // The site: the legacy step-log address resolves to the copy, and the copy is in the site.
    const site = join(dir, 'site');
    await buildSite({ ledgerPath: join(dir, 'ledger.ndjson'), outDir: site, baseUrl: SITE, logArchiveDir: join(dir, 'archive'), onTornLine: () => assert.fail('torn'), onUnsafeUrl: (bad) => assert.fail(bad.problem) });
    const resolved = await resolveInSite(site, '/builders/ports-15_arm64-builder/builds/0/steps/install-port/logs/stdio');
    assert.equal(resolved.output, logUrl);
    assert.equal(gunzipSync(readFileSync(join(site, 'logs', 'la1', 'stdio.txt.gz'))).toString('utf8'), text);
    assert.equal((await resolveInSite(site, '/builders/ports-15_arm64-builder/builds/0')).output, `${SITE}/logs/la1/index.html`);
  });

  test('without site.logArchiveUrl the ledger names the copies relative to the site, so a site served anywhere (site serve, offline) links its own logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-log-archive-'));
    const runId = await finishedRun('la3');
    const base = options(dir);
    assert.ok(base.archive !== undefined);
    const relative = { ...base, archive: { ...base.archive, url: SITE_LOGS } };
    const recorded = await recordFinishedBuild(queued('la3'), 'success', { runId, at: new Date('2026-11-26T09:00:00Z'), failedPhase: null, logTail: '' }, relative);
    assert.equal(recorded.ledger.url, 'logs/la3/index.html');
    const site = join(dir, 'site');
    await buildSite({ ledgerPath: join(dir, 'ledger.ndjson'), outDir: site, baseUrl: SITE, logArchiveDir: join(dir, 'archive'), onTornLine: () => assert.fail('torn'), onUnsafeUrl: (bad) => assert.fail(bad.problem) });
    // The map keeps a root path on the site's own origin (site resolve shows it on baseUrl), and the file is in the site.
    const shard = readFileSync(join(site, 'map', 'ports-15_arm64-builder', '0.json'), 'utf8');
    assert.ok(shard.includes('/logs/la3/') && !shard.includes(`${SITE}/logs/la3/`), shard);
    assert.equal((await resolveInSite(site, '/builders/ports-15_arm64-builder/builds/0/steps/install-port/logs/stdio')).output, `${SITE}/logs/la3/stdio.txt.gz`);
    assert.ok(readFileSync(join(site, 'logs', 'la3', 'stdio.txt.gz')).length > 0);
    // The action's /builds/<id>/ link finds the build through its archive page.
    assert.equal((await resolveInSite(site, '/builds/la3/steps/install-port/logs/stdio')).output, `${SITE}/logs/la3/stdio.txt.gz`);
  });

  test('a download that keeps failing: retried, then the build is recorded and its page says the log could not be archived', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-log-archive-'));
    const runId = await finishedRun('la2');
    double.failRequests({ status: 502, times: 2, operation: 'actions/download-job-logs-for-workflow-run' });
    const recorded = await recordFinishedBuild(queued('la2'), 'failure', { runId, at: new Date('2026-11-26T09:01:00Z'), failedPhase: 'install-port', logTail: '' }, options(dir));
    const page = `${SITE}/logs/la2/index.html`;
    assert.equal(recorded.ledger.url, page);
    assert.deepEqual(recorded.ledger.steps, [{ name: 'install-port', logs: [{ name: 'stdio', url: page }] }]);
    assert.match(readFileSync(join(dir, 'archive', 'la2', 'index.html'), 'utf8'), /No log: the job log could not be archived from GitHub after 2 tries: [^<]*502/);
    assert.equal(double.requests.filter((r) => r.operation === 'actions/download-job-logs-for-workflow-run').filter((r) => r.status === 502).length, 2);
    assert.ok(entries.some((e) => e.msg === 'job log not archived; the build is recorded and its page says why' && e.buildId === 'la2'));
  });
});

test('site.logArchiveDir: an empty or non-text value is refused, naming the key and what it is for', () => {
  const config = (site: string): string =>
    `github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports }\nplatforms: [{ name: 15_arm64, image: macos-15-base, hosts: [{ name: mini, address: 10.0.0.2 }] }]\nsite: ${site}\n`;
  assert.equal(parseConfig(config('{ logArchiveDir: state/logs }'), 'ok.yaml', {}).site.logArchiveDir, 'state/logs');
  for (const bad of ['""', '7']) {
    assert.throws(
      () => parseConfig(config(`{ logArchiveDir: ${bad} }`), 'bad.yaml', {}),
      (e: unknown) => e instanceof ConfigError && /site\.logArchiveDir: .* must be the folder the controller copies job logs into \(e\.g\. state\/logs\)/.test(e.message),
    );
  }
});
