// Issue #15 item 1, reconcile: when a dispatch's answer is lost the controller does not know its
// build's run id and looks the run up by the build id in run names, which anyone can write.
// Only a dispatched ports.yml run on the default branch that the App itself triggered is adopted;
// once a run id is recorded, no other run named like it settles the build.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../../controller/github/octokit-run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import type { RunGateway } from '../../controller/queue/run-gateway.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { captureLog } from '../github/capture-log.ts';

const signal = new AbortController().signal;
const log = pino({ level: 'silent' });
let double: GitHubDouble;
let clients: GitHubClients;

before(async () => {
  double = await startGitHubDouble({});
  clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: double.owner, repo: double.repo, writeSpacingMs: 0, log }, signal);
});
after(async () => {
  await double.close();
  double.assertNoViolations();
});

/** The real gateway, whose next dispatch loses its answer after GitHub made the run (`after`) or fails before (`before`). */
async function setup(prefix: string, lose: 'after' | 'before'): Promise<{ service: ReorderService; rejections: EventRejections; logged: Record<string, unknown>[]; dispatchedRunIds: () => number[] }> {
  const { log: trustLog, entries: logged } = captureLog();
  const rejections = new EventRejections({ registry: new Registry(), log: trustLog });
  const real = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), rejections, log });
  let failNext: 'after' | 'before' | null = lose;
  const gateway: RunGateway = {
    ...real,
    async dispatch(request, s) {
      const failing = failNext;
      failNext = null;
      if (failing === 'before') throw new Error('HTTP 502 from workflow_dispatch');
      const answer = await real.dispatch(request, s);
      if (failing === 'after') throw new Error('socket hang up');
      return answer;
    },
  };
  const service = new ReorderService({ db: openStore(':memory:'), platforms: ['15_arm64'], gateway, graph: null, idPrefix: prefix });
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'a'.repeat(40), changedPorts: ['curl'], force: false, prNumber: null, now: new Date() });
  await service.pump(new Date(), signal);
  return { service, rejections, logged, dispatchedRunIds: () => double.runs().filter((r) => r.triggeringActor === 'portfarm[bot]').map((r) => r.id) };
}

test('a lost dispatch answer: reconcile adopts the App\'s run, not a newer pull_request or hand-dispatched run named after the build', async () => {
  const { service, rejections, logged, dispatchedRunIds } = await setup('ra', 'after');
  const [real] = dispatchedRunIds().slice(-1);
  const name = '[ra-1] watcher on 15_arm64';
  const pr = double.startRun({ workflowFile: 'ports.yml', runName: name, event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory' });
  double.completeRun(pr.id, 'cancelled');
  const byHand = double.startRun({ workflowFile: 'ports.yml', runName: name, event: 'workflow_dispatch', headBranch: 'master', actor: 'maintainer' });
  double.completeRun(byHand.id, 'success');
  const report = await service.reconcile(new Date(), signal);
  assert.deepEqual(report, { adopted: ['ra-1'], requeued: [], started: [], finished: [] });
  assert.equal(service.describeBuild('ra-1')?.runId, real);
  // The pull_request run is not even listed (GitHub filters by event): not a page spent on it, not
  // counted again on every sweep (its own webhooks were refused and counted when they came).
  assert.equal(await rejections.count('not-dispatched'), 0);
  assert.ok(!logged.some((l) => l['runId'] === pr.id), JSON.stringify(logged));

  // Recorded now: a completed run with the same name is not the build's.
  assert.deepEqual((await service.reconcile(new Date(), signal)).finished, []);
  assert.equal(service.describeBuild('ra-1')?.state, 'dispatched');
});

test('a dispatch that never reached GitHub is queued again, even though others named runs after it', async () => {
  const { service } = await setup('rb', 'before');
  const byHand = double.startRun({ workflowFile: 'ports.yml', runName: '[rb-1] watcher on 15_arm64', event: 'workflow_dispatch', headBranch: 'master', actor: 'maintainer' });
  double.completeRun(byHand.id, 'success');
  const report = await service.reconcile(new Date(), signal);
  assert.deepEqual(report, { adopted: [], requeued: [{ buildId: 'rb-1', requeuedAs: 'rb-2' }], started: [], finished: [] });
});
