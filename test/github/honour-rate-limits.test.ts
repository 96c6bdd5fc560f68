import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ApiClock } from '../../controller/github/api-clock.ts';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import type { RateLimitOptions } from '../github-double/rate-limits.ts';
import { createSchemaValidator } from '../github-double/schema-validator.ts';
import { captureLog } from './capture-log.ts';

const schema = createSchemaValidator();
const owner = 'macports';
const repo = 'macports-ports';

/** The wall clock, its waits 100 times shorter: a retry-after of 1 s takes 10 ms. */
const fastClock: ApiClock = { now: () => Date.now(), sleep: (ms, signal) => new Promise((resolve, reject) => { const t = setTimeout(resolve, ms / 100); signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason as Error); }, { once: true }); }) };

describe('the controller\'s clients against GitHub\'s rate limits', () => {
  const opened = new AsyncDisposableStack();
  const stop = new AbortController();
  after(async () => { stop.abort(); await opened.disposeAsync(); });
  const start = async (rateLimits?: RateLimitOptions, writeSpacingMs = 0): Promise<{ double: GitHubDouble; clients: GitHubClients; entries: Record<string, unknown>[] }> => {
    const double = opened.adopt(await startGitHubDouble({ schema, ...(rateLimits === undefined ? {} : { rateLimits }) }), (d) => d.close());
    const { log, entries } = captureLog();
    const clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner, repo, installationId: double.installationId, writeSpacingMs, clock: fastClock, log }, stop.signal);
    return { double, clients, entries };
  };

  test('a secondary limit with a short retry-after is waited and the request sent again; the budget counts it', async () => {
    const { double, clients, entries } = await start();
    double.failRequests({ status: 429, retryAfterSeconds: 1, operation: 'actions/list-self-hosted-runners-for-repo', times: 1 });
    const { data } = await clients.installation.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    assert.equal(data.total_count, 0);
    assert.deepEqual(clients.budget.snapshot(Date.now()).rateLimited, { primary: 0, secondary: 1 });
    assert.equal(double.requests.filter((r) => r.operation === 'actions/list-self-hosted-runners-for-repo').length, 2);
    assert.ok(entries.some((e) => e.level === 'warn' && e.kind === 'secondary' && e.retry === true), JSON.stringify(entries));
  });

  test('a spent hour fails the request at once with GitHub\'s reason, and nothing more is sent until the reset', async () => {
    const { double, clients } = await start({ primaryPerHour: 3 });
    for (let i = 0; i < 3; i += 1) await clients.installation.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    assert.deepEqual([clients.budget.snapshot(Date.now()).remaining, clients.budget.snapshot(Date.now()).limit], [0, 3]);
    await assert.rejects(clients.installation.rest.actions.listSelfHostedRunnersForRepo({ owner, repo }), /API rate limit exceeded for installation ID 77/);
    const sent = double.requests.length;
    await assert.rejects(clients.installation.rest.actions.getWorkflowRun({ owner, repo, run_id: 1 }), /not sent: GitHub asked for no requests for another 3[56]\d\d s \(API rate limit exceeded/);
    assert.equal(double.requests.length, sent, 'the paused request never reached GitHub');
    assert.ok(clients.budget.pausedFor(Date.now()) > 3_500_000);
  });

  test('check publishing has its own write queue: a dispatch does not wait behind queued check-run writes', async () => {
    // Four check writes 1 s apart, then a dispatch. Through one shared queue the dispatch would
    // reach GitHub after the fourth check; through its own it reaches GitHub before the last one.
    // What is asserted is the order GitHub saw, not a wall-clock bound (which a loaded machine breaks).
    const { double, clients } = await start(undefined, 1000);
    const sha = double.defaultBranchCommits()[0] ?? '';
    const began = Date.now();
    const checks = Promise.all(['a', 'b', 'c', 'd'].map((port) => clients.checks.rest.checks.create({ owner, repo, name: `${port} (15_arm64)`, head_sha: sha })));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await clients.installation.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', { owner, repo, workflow_id: 'ports.yml', ref: 'master', inputs: { platform: '15_arm64', portname: 'curl', build_id: 'b1', ports_sha: 'abc1234' } });
    await checks;
    const checksAfter = Date.now() - began;
    assert.ok(checksAfter >= 2900, `four writes 1 s apart took ${checksAfter} ms`);
    const order = double.requests.map((r) => r.operation).filter((o) => o === 'checks/create' || o === 'actions/create-workflow-dispatch');
    assert.equal(order.length, 5, order.join(', '));
    assert.ok(order.indexOf('actions/create-workflow-dispatch') < 4, `the dispatch waited behind every check write: ${order.join(', ')}`);
  });
});
