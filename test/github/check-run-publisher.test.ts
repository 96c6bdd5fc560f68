import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CheckRunPublisher } from '../../controller/github/check-run-publisher.ts';
import { checkOutput, portCheckRun } from '../../controller/github/port-check-run.ts';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { captureLog } from './capture-log.ts';

const SHA = 'f'.repeat(40);
const at = (s: number): Date => new Date(Date.UTC(2026, 10, 26, 6, 0, s));

describe('check-run publisher', () => {
  let double: GitHubDouble;
  let clients: GitHubClients;
  const signal = new AbortController().signal;
  const { log } = captureLog();

  before(async () => {
    double = await startGitHubDouble({});
    clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log }, signal);
  });
  after(async () => {
    await double.close();
    double.assertNoViolations();
  });

  test('the summary names port, version, platform, duration and failing phase', () => {
    assert.deepEqual(checkOutput({ headSha: SHA, port: 'curl', platform: '15_arm64', status: 'completed', conclusion: 'failure', version: '8.11.0_0', durationMs: 252_000, failingPhase: 'install-port', at: at(0) }), {
      title: 'curl failed in install-port on 15_arm64',
      summary: '| Port | Version | Platform | Duration | Failing phase |\n| --- | --- | --- | --- | --- |\n| curl | 8.11.0_0 | 15_arm64 | 4m 12s | install-port |',
    });
  });

  test('queued → in_progress → completed, batched: one call per changed check per flush', async () => {
    const publisher = new CheckRunPublisher({ clients, log });
    for (const port of ['curl', 'zlib', 'openssl3']) publisher.update(portCheckRun({ headSha: SHA, port, platform: '15_arm64', status: 'queued', at: at(0) }));
    assert.deepEqual(await publisher.flush(signal), { created: 3, updated: 0, apiCalls: 4 });
    publisher.update(portCheckRun({ headSha: SHA, port: 'zlib', platform: '15_arm64', status: 'in_progress', at: at(10) }));
    publisher.update(portCheckRun({ headSha: SHA, port: 'zlib', platform: '15_arm64', status: 'completed', conclusion: 'success', version: '1.3.1_0', durationMs: 42_000, detailsUrl: 'https://build.macports.org/builders/ports-15_arm64-builder/builds/7', at: at(52) }));
    assert.deepEqual(await publisher.flush(signal), { created: 0, updated: 1, apiCalls: 1 });
    assert.deepEqual(await publisher.flush(signal), { created: 0, updated: 0, apiCalls: 0 });
    const { data } = await clients.installation.rest.checks.listForRef({ owner: 'macports', repo: 'macports-ports', ref: SHA });
    assert.deepEqual(
      data.check_runs.map((c) => [c.name, c.status, c.conclusion, c.output.title, c.details_url]),
      [
        ['curl (15_arm64)', 'queued', null, 'curl queued on 15_arm64', 'https://github.com/apps/portfarm'],
        ['zlib (15_arm64)', 'completed', 'success', 'zlib 1.3.1_0 built on 15_arm64', 'https://build.macports.org/builders/ports-15_arm64-builder/builds/7'],
        ['openssl3 (15_arm64)', 'queued', null, 'openssl3 queued on 15_arm64', 'https://github.com/apps/portfarm'],
      ],
    );
  });

  test('a forced rebuild after a restart updates the same check run, it does not add one', async () => {
    const restarted = new CheckRunPublisher({ clients, log });
    restarted.update(portCheckRun({ headSha: SHA, port: 'zlib', platform: '15_arm64', status: 'queued', at: at(60) }));
    assert.deepEqual(await restarted.flush(signal), { created: 0, updated: 1, apiCalls: 2 });
    assert.deepEqual(double.checkRuns().filter((c) => c.name === 'zlib (15_arm64)').map((c) => [c.status, c.conclusion]), [['queued', null]]);
  });
});
