import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../../controller/github/octokit-run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { doublePerFile } from '../github-double/double-per-file.ts';
import { captureLog } from './capture-log.ts';
import { manualClock, type ManualClock } from './manual-clock.ts';

const github = doublePerFile();

const now = new Date('2026-12-03T23:50:00Z');

async function serviceOnDouble(prefix: string, signal: AbortSignal, clock: ManualClock): Promise<ReorderService> {
  const { log } = captureLog();
  const clients = await createGitHubClients({ appId: github().appId, privateKey: github().appPrivateKey ?? '', apiUrl: github().url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, retries: 0, clock, log }, signal);
  const gateway = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), cancelPollMs: 5, log });
  return new ReorderService({ db: openStore(':memory:'), platforms: ['15_arm64'], gateway, graph: null, idPrefix: prefix });
}

test('a dispatch GitHub refused for a secondary rate limit made no run: queued again at once under a new id, dispatched by the next round, never twice', async () => {
  const signal = new AbortController().signal;
  const clock = manualClock(Date.now());
  const service = await serviceOnDouble('rl', signal, clock);
  const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'abc1234', changedPorts: ['curl'], force: false, prNumber: null, now });
  github().failRequests({ status: 403, retryAfterSeconds: 60, operation: 'actions/create-workflow-dispatch', times: 1 });
  const refused = await service.pump(now, signal);
  assert.deepEqual([refused.dispatched, refused.errors], [[], []]);
  assert.equal(refused.deferred.length, 1);
  const [held] = refused.deferred;
  assert.ok(held !== undefined);
  assert.equal(held.buildId, buildId);
  assert.match(held.error.message, new RegExp(`GitHub did not take the dispatch of ${buildId} \\(watcher on 15_arm64\\): .*403.*; queued again as ${held.requeuedAs}`));
  assert.deepEqual(service.queueStatus(now)[0]?.next.map((e) => [e.buildId, e.state]), [[held.requeuedAs, 'pending']]);
  const dispatches = (): number => github().requests.filter((r) => r.operation === 'actions/create-workflow-dispatch').length;
  // While GitHub's minute lasts the dispatch is not even sent; the build waits at the head again.
  const sent = dispatches();
  const paused = await service.pump(now, signal);
  assert.deepEqual([paused.dispatched, paused.errors, dispatches()], [[], [], sent]);
  assert.match(paused.deferred[0]?.error.message ?? '', /not sent: GitHub asked for no requests for another 60 s/);
  const listsBefore = github().requests.filter((r) => r.operation === 'actions/list-workflow-runs').length;
  await clock.advance(60_000);
  const next = await service.pump(now, signal);
  const third = paused.deferred[0]?.requeuedAs;
  assert.deepEqual(next.dispatched, [third]);
  assert.equal(github().requests.filter((r) => r.operation === 'actions/list-workflow-runs').length, listsBefore, 'no runs listed: nothing was unknown');
  assert.deepEqual(github().runs().map((r) => r.name), [`[${third ?? '?'}] watcher on 15_arm64`]);
});

test('a dispatch answered 502 may have made its run: it is left to reconcile, not queued again', async () => {
  const signal = new AbortController().signal;
  const service = await serviceOnDouble('fx', signal, manualClock(Date.now()));
  const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'abc1234', changedPorts: ['zlib'], force: false, prNumber: null, now });
  github().failRequests({ status: 502, operation: 'actions/create-workflow-dispatch', times: 1 });
  const report = await service.pump(now, signal);
  assert.deepEqual([report.dispatched, report.deferred, report.errors.map((e) => e.buildId)], [[], [], [buildId]]);
  assert.deepEqual(service.inFlight().map((e) => [e.buildId, e.state, e.runId]), [[buildId, 'dispatched', null]]);
});
