import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ApiClock } from '../../controller/github/api-clock.ts';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../../controller/github/octokit-run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import type { RunGateway } from '../../controller/queue/run-gateway.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';
import { captureLog } from './capture-log.ts';

// A preempting cancel that GitHub takes long to complete holds only its own platform's lane:
// the other platforms are dispatched meanwhile, and the watcher goes once the run completed.

const A = '15_arm64';
const B = '14_x86_64';
const C = '13_arm64';
const D = '12_x86_64';
const now = new Date('2026-11-26T06:30:00Z');
let double: GitHubDouble;
let dir: string;
before(async () => {
  double = await startGitHubDouble({});
  dir = mkdtempSync(join(tmpdir(), 'portfarm-preemption-lanes-'));
});
after(async () => {
  await double.close();
  double.assertNoViolations();
  rmSync(dir, { recursive: true, force: true });
});

/** GitHub time that moves only when the test says: the cancel's polls wait on it. */
function stepClock(): ApiClock & { advance(ms: number): void; readonly sleeping: number } {
  let t = now.getTime();
  const sleepers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
      signal?.addEventListener('abort', () => { reject(signal.reason as Error); }, { once: true });
      sleepers.push({ at: t + ms, resolve });
    }),
    advance(ms) {
      t += ms;
      for (const due of sleepers.filter((s) => s.at <= t)) { sleepers.splice(sleepers.indexOf(due), 1); due.resolve(); }
    },
    get sleeping() { return sleepers.length; },
  };
}

async function gatewayOn(clock: ApiClock | undefined, signal: AbortSignal): Promise<{ gateway: RunGateway; runWatcher: (buildId: string, platform: string) => Promise<void> }> {
  const { log } = captureLog();
  const clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log }, signal);
  const farm = await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal);
  const gateway = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm, cancelPollMs: 2000, forceCancelAfterMs: 10_000, ...(clock === undefined ? {} : { clock }), log });
  const runWatcher = async (buildId: string, platform: string): Promise<void> => {
    const jit = await clients.installation.rest.actions.generateRunnerJitconfigForRepo({ owner: 'macports', repo: 'macports-ports', name: `vm-${buildId}`, runner_group_id: 1, labels: [platform, `portfarm-build-${buildId}`] });
    assert.equal((await startRunnerStandIn({ encodedJitConfig: jit.data.encoded_jit_config }).exited).conclusion, 'success');
  };
  return { gateway, runWatcher };
}

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
};

/** What the double saw, in order: dispatches (with the run each made), cancels and force-cancels. */
function farmRequests(from: number, fromRun: number): string[] {
  const names = double.runs().slice(fromRun).map((r) => r.name);
  let dispatches = 0;
  return double.requests.slice(from).flatMap((r) => {
    if (r.operation === 'actions/create-workflow-dispatch') return [`dispatch ${names[dispatches++] ?? '?'}`];
    if (r.operation === 'actions/cancel-workflow-run' || r.operation === 'actions/force-cancel-workflow-run') return [r.operation.slice('actions/'.length)];
    return [];
  });
}

test('a cancel GitHub takes long to complete on one platform: the other platform is dispatched meanwhile, the watcher only after the run completed, the builder requeued once', async () => {
  const signal = new AbortController().signal;
  const clock = stepClock();
  const { gateway, runWatcher } = await gatewayOn(clock, signal);
  const service = new ReorderService({ db: openStore(':memory:'), platforms: [A, B], gateway, graph: null, idPrefix: 'la' });
  const firstRun = double.runs().length;
  const firstRequest = double.requests.length;

  const { buildId: w1 } = service.enqueueWatcher({ platform: A, portsRevision: 'abc1234', changedPorts: ['curl'], force: false, prNumber: null, now });
  assert.deepEqual((await service.pump(now, signal)).dispatched, [w1]);
  await runWatcher(w1, A);
  service.acceptPortList({ buildId: w1, platform: A, portsRevision: 'abc1234', ports: ['curl'], excluded: [] }, now);
  service.runFinished(w1, 'success', now);
  const [curl] = (await service.pump(now, signal)).dispatched;
  assert.notEqual(curl, undefined);

  // GitHub answers the cancel and the run goes on (a busy GitHub): A's lane waits for it.
  double.setIgnoreCancel(true);
  const { buildId: w2 } = service.enqueueWatcher({ platform: A, portsRevision: 'def5678', changedPorts: ['zlib'], force: false, prNumber: null, now });
  const { buildId: wB } = service.enqueueWatcher({ platform: B, portsRevision: 'def5678', changedPorts: ['zlib'], force: false, prNumber: null, now });
  assert.deepEqual(await service.pump(now, signal), { dispatched: [wB], preempted: [], deferred: [], errors: [] });
  await until(() => clock.sleeping > 0);
  await runWatcher(wB, B);
  service.acceptPortList({ buildId: wB, platform: B, portsRevision: 'def5678', ports: ['zlib'], excluded: [] }, now);
  service.runFinished(wB, 'success', now);
  const meanwhile = await service.pump(now, signal);
  assert.equal(meanwhile.dispatched.length, 1, 'B\'s builder goes while A waits');
  assert.deepEqual([meanwhile.preempted, meanwhile.errors], [[], []]);
  assert.deepEqual(await service.pump(now, signal), { dispatched: [], preempted: [], deferred: [], errors: [] }, 'A still waits: its watcher is not dispatched behind the running cancelled run');

  // GitHub time passes: the gateway polls, then force-cancels.
  const cancel = { settled: false };
  void service.cancelsSettled().then(() => { cancel.settled = true; });
  while (!cancel.settled) {
    await until(() => cancel.settled || clock.sleeping > 0);
    clock.advance(2000);
  }
  const last = await service.pump(now, signal);
  assert.equal(last.preempted.length, 1);
  assert.equal(last.preempted[0]?.buildId, curl);
  assert.deepEqual([last.dispatched, last.errors], [[w2], []]);

  assert.deepEqual(farmRequests(firstRequest, firstRun), [
    `dispatch [${w1}] watcher on ${A}`,
    `dispatch [${String(curl)}] curl on ${A}`,
    'cancel-workflow-run',
    `dispatch [${wB}] watcher on ${B}`,
    `dispatch [${String(meanwhile.dispatched[0])}] zlib on ${B}`,
    'force-cancel-workflow-run',
    `dispatch [${w2}] watcher on ${A}`,
  ]);
  assert.deepEqual(double.runs().slice(firstRun).map((r) => [r.name, r.status, r.conclusion]), [
    [`[${w1}] watcher on ${A}`, 'completed', 'success'],
    [`[${String(curl)}] curl on ${A}`, 'completed', 'cancelled'],
    [`[${wB}] watcher on ${B}`, 'completed', 'success'],
    [`[${String(meanwhile.dispatched[0])}] zlib on ${B}`, 'queued', null],
    [`[${w2}] watcher on ${A}`, 'queued', null],
  ]);
  const pendingCurl = service.queueStatus(now).find((q) => q.platform === A)?.next.filter((n) => n.port === 'curl') ?? [];
  assert.equal(pendingCurl.length, 1, 'curl is queued again exactly once');
  double.setIgnoreCancel(false);
});

test('a restart while a cancel waits on GitHub: the next controller asks again, requeues the builder once and dispatches the watcher after the run completed', async () => {
  // Other platforms than the first test's: its runs still hold their concurrency groups on the double.
  const path = join(dir, 'state.sqlite');
  const first = new AbortController();
  const clock = stepClock();
  const { gateway, runWatcher } = await gatewayOn(clock, first.signal);
  const service = new ReorderService({ db: openStore(path), platforms: [C, D], gateway, graph: null, idPrefix: 'rs' });
  const firstRequest = double.requests.length;
  const firstRun = double.runs().length;
  const { buildId: w1 } = service.enqueueWatcher({ platform: C, portsRevision: 'abc1234', changedPorts: ['curl'], force: false, prNumber: null, now });
  await service.pump(now, first.signal);
  await runWatcher(w1, C);
  service.acceptPortList({ buildId: w1, platform: C, portsRevision: 'abc1234', ports: ['curl'], excluded: [] }, now);
  service.runFinished(w1, 'success', now);
  const [curl] = (await service.pump(now, first.signal)).dispatched;
  double.setIgnoreCancel(true);
  const { buildId: w2 } = service.enqueueWatcher({ platform: C, portsRevision: 'def5678', changedPorts: ['zlib'], force: false, prNumber: null, now });
  await service.pump(now, first.signal);
  await until(() => clock.sleeping > 0);
  // The controller dies mid-wait (its requests stop); GitHub completes the cancel later on its own.
  first.abort(new Error('killed'));
  double.setIgnoreCancel(false);

  const second = new AbortController().signal;
  const { gateway: gateway2 } = await gatewayOn(undefined, second);
  const restarted = new ReorderService({ db: openStore(path), platforms: [C, D], gateway: gateway2, graph: null });
  await restarted.reconcile(now, second);
  const report = await restarted.pump(now, second);
  await restarted.cancelsSettled();
  const next = await restarted.pump(now, second);
  const preempted = [...report.preempted, ...next.preempted];
  assert.deepEqual(preempted.map((p) => p.buildId), [curl], 'requeued exactly once');
  assert.deepEqual([...report.dispatched, ...next.dispatched], [w2]);
  assert.deepEqual(farmRequests(firstRequest, firstRun), [
    `dispatch [${w1}] watcher on ${C}`,
    `dispatch [${String(curl)}] curl on ${C}`,
    'cancel-workflow-run',
    'cancel-workflow-run',
    `dispatch [${w2}] watcher on ${C}`,
  ]);
  assert.equal(double.runs().find((r) => r.name === `[${String(curl)}] curl on ${C}`)?.conclusion, 'cancelled');
  const pendingCurl = restarted.queueStatus(now).find((q) => q.platform === C)?.next.filter((n) => n.port === 'curl') ?? [];
  assert.equal(pendingCurl.length, 1, 'curl is queued again exactly once');
  assert.deepEqual(await restarted.pump(now, second), { dispatched: [], preempted: [], deferred: [], errors: [] }, 'nothing more goes out while the watcher runs');
});
