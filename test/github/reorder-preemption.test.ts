import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../../controller/github/octokit-run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { doublePerFile } from '../github-double/double-per-file.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';
import { captureLog } from './capture-log.ts';

const github = doublePerFile();

test('with the reorder service: a builder dispatched but not started is cancelled on GitHub when a watcher arrives, and the watcher runs next', async () => {
  const signal = new AbortController().signal;
  const { log } = captureLog();
  const clients = await createGitHubClients({ appId: github().appId, privateKey: github().appPrivateKey ?? '', apiUrl: github().url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log }, signal);
  const gateway = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), cancelPollMs: 5, log });
  const service = new ReorderService({ db: openStore(':memory:'), platforms: ['15_arm64'], gateway, graph: null, idPrefix: 't' });
  const now = new Date('2026-11-26T06:30:00Z');

  const { buildId: watcher } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'abc1234', changedPorts: ['curl'], force: false, prNumber: null, now });
  assert.deepEqual((await service.pump(now, signal)).dispatched, [watcher]);
  const jit = await clients.installation.rest.actions.generateRunnerJitconfigForRepo({ owner: 'macports', repo: 'macports-ports', name: `vm-${watcher}`, runner_group_id: 1, labels: ['15_arm64', `portfarm-build-${watcher}`] });
  assert.equal((await startRunnerStandIn({ encodedJitConfig: jit.data.encoded_jit_config }).exited).conclusion, 'success');
  service.acceptPortList({ buildId: watcher, platform: '15_arm64', portsRevision: 'abc1234', ports: ['curl'], excluded: [] }, now);
  service.runFinished(watcher, 'success', now);
  const [builder] = (await service.pump(now, signal)).dispatched;
  assert.notEqual(builder, undefined);

  const { buildId: second } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'def5678', changedPorts: ['zlib'], force: false, prNumber: null, now });
  // The cancel goes out; the platform's lane waits until GitHub completed the run (its watcher
  // would otherwise queue behind it in the concurrency group), then the next round takes it.
  const asked = await service.pump(now, signal);
  await service.cancelsSettled();
  const report = await service.pump(now, signal);
  const both = { preempted: [...asked.preempted, ...report.preempted].map((p) => p.buildId), dispatched: [...asked.dispatched, ...report.dispatched], errors: [...asked.errors, ...report.errors] };
  assert.deepEqual(both, { preempted: [builder], dispatched: [second], errors: [] });
  assert.deepEqual(
    github().runs().map((r) => [r.name, r.status, r.conclusion]),
    [
      [`[${watcher}] watcher on 15_arm64`, 'completed', 'success'],
      [`[${String(builder)}] curl on 15_arm64`, 'completed', 'cancelled'],
      [`[${second}] watcher on 15_arm64`, 'queued', null],
    ],
  );
});
