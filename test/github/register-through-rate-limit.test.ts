import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { GitHubError, isNotProcessed } from '../../controller/github/github-error.ts';
import { githubPauseOf } from '../../controller/github/github-pause.ts';
import { GithubRunnerRegistry } from '../../controller/runners/github-runner-registry.ts';
import { doublePerFile } from '../github-double/double-per-file.ts';
import { captureLog } from './capture-log.ts';
import { manualClock, type ManualClock } from './manual-clock.ts';

const github = doublePerFile();

const registrations = (): number => github().requests.filter((r) => r.operation === 'actions/generate-runner-jitconfig-for-repo').length;
const request = (name: string) => ({ name, labels: ['self-hosted', '15_arm64', `portfarm-build-${name}`], runnerGroupId: 1, workFolder: '_work' });

/** Waits (in wall time: the request goes over loopback) until the double has answered `count` registrations and the client has taken the answer. */
async function untilRefused(clients: GitHubClients, count: number): Promise<void> {
  while (registrations() < count || clients.budget.pausedFor(Date.now() - 1) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function clientsOn(clock: ManualClock): Promise<GitHubClients> {
  const { log } = captureLog();
  return createGitHubClients({ appId: github().appId, privateKey: github().appPrivateKey ?? '', apiUrl: github().url, owner: 'macports', repo: 'macports-ports', installationId: github().installationId, writeSpacingMs: 0, retries: 0, clock, log }, new AbortController().signal);
}

test('a registration GitHub refuses for a rate limit is asked again once GitHub\'s pause is over, not failed (the lease would lose its booted VM)', async () => {
  const clock = manualClock(Date.now());
  const clients = await clientsOn(clock);
  const registry = new GithubRunnerRegistry({ octokit: clients.installation, repo: 'macports/macports-ports', pause: githubPauseOf(clients.budget, clock) });
  github().failRequests({ status: 403, retryAfterSeconds: 30, operation: 'actions/generate-runner-jitconfig-for-repo', times: 1 });
  const sent = registrations();
  let settled = false;
  const registered = registry.generateJitConfig(request('vm-rl-1'), new AbortController().signal).finally(() => { settled = true; });
  await untilRefused(clients, sent + 1);
  await clock.advance(29_000);
  assert.equal(settled, false, 'still waiting out the 30 s GitHub asked for');
  assert.equal(registrations(), sent + 1, 'nothing sent during the pause');
  await clock.advance(2_000);
  const jit = await registered;
  assert.equal(jit.runner.name, 'vm-rl-1');
  assert.equal(registrations(), sent + 2);
});

test('without a pause to wait on, or for a refusal that is not a rate limit, registering fails at once as before', async () => {
  const clock = manualClock(Date.now());
  const clients = await clientsOn(clock);
  const plain = new GithubRunnerRegistry({ octokit: clients.installation, repo: 'macports/macports-ports' });
  github().failRequests({ status: 429, retryAfterSeconds: 30, operation: 'actions/generate-runner-jitconfig-for-repo', times: 1 });
  await assert.rejects(plain.generateJitConfig(request('vm-rl-2'), new AbortController().signal), (error: unknown) => isNotProcessed(error) && /generate-jitconfig for runner vm-rl-2 failed/.test(String(error)));
  const waiting = new GithubRunnerRegistry({ octokit: clients.installation, repo: 'macports/macports-ports', pause: githubPauseOf(clients.budget, clock) });
  await clock.advance(31_000);
  github().failRequests({ status: 500, operation: 'actions/generate-runner-jitconfig-for-repo', times: 1 });
  await assert.rejects(waiting.generateJitConfig(request('vm-rl-3'), new AbortController().signal), (error: unknown) => !isNotProcessed(error) && /GitHub answered 500/.test(String(error)));
});

test('a lease that stops while registering is waiting out a pause ends the wait with GitHub\'s refusal', async () => {
  const clock = manualClock(Date.now());
  const clients = await clientsOn(clock);
  const registry = new GithubRunnerRegistry({ octokit: clients.installation, repo: 'macports/macports-ports', pause: githubPauseOf(clients.budget, clock) });
  github().failRequests({ status: 403, retryAfterSeconds: 600, operation: 'actions/generate-runner-jitconfig-for-repo', times: 1 });
  const stop = new AbortController();
  const registered = registry.generateJitConfig(request('vm-rl-4'), stop.signal);
  await untilRefused(clients, registrations() + 1);
  await clock.advance(1_000);
  stop.abort();
  await assert.rejects(registered, (error: unknown) => isNotProcessed(error));
  await clock.advance(600_000);
});

test('isNotProcessed: a rate-limit refusal or an unsent request, however wrapped; never a 5xx or a lost answer', () => {
  const unsent = new GitHubError('not sent', { status: 429, method: 'POST', url: '/x', retryable: true, notProcessed: true });
  assert.equal(isNotProcessed(new Error('registering failed', { cause: unsent })), true);
  const secondary = Object.assign(new Error('403'), { status: 403, response: { headers: {}, data: { message: 'You have exceeded a secondary rate limit' } } });
  assert.equal(isNotProcessed(new Error('wrapped', { cause: secondary })), true);
  assert.equal(isNotProcessed(new GitHubError('502', { status: 502, method: 'POST', url: '/x', retryable: true })), false);
  assert.equal(isNotProcessed(Object.assign(new Error('403'), { status: 403, response: { headers: {}, data: { message: 'Resource not accessible by integration' } } })), false);
  assert.equal(isNotProcessed(new Error('socket hang up')), false);
});
