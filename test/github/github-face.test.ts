import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { createWebhookHandler, type WebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../../controller/github/octokit-run-gateway.ts';
import { recoverMissedDeliveries } from '../../controller/github/recover-missed-deliveries.ts';
import type { DispatchRequest, RunGateway } from '../../controller/queue/run-gateway.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';

const SECRET = 'face-secret';
const PLATFORMS = ['15_arm64', '14_x86_64'];

const request = (buildId: string, platform: string, port: string | null): DispatchRequest => ({
  buildId, platform, kind: port === null ? 'watcher' : 'builder', port, portsRevision: 'abc1234', force: false, portlist: null, prNumber: null, lane: 0,
});

/** The controller's GitHub face wired to the double, as `portfarm serve` will wire it. */
describe('GitHub face against the double', () => {
  let double: GitHubDouble;
  let server: Server;
  let handler: WebhookHandler;
  let clients: GitHubClients;
  let gateway: RunGateway;
  let store: MemoryDeliveryStore;
  const farm = new RecordingFarm();
  const logged = captureLog();
  const signal = new AbortController().signal;
  const push = (after: string, paths: string[]): string => double.push({
    ref: 'refs/heads/master', before: 'a'.repeat(40), after,
    commits: [{ id: after, message: 'update', timestamp: '2026-11-26T06:00:00Z', added: [], removed: [], modified: paths }],
  });

  // Closed newest first by after(), each even if another's close throws or before() stopped half-way.
  const opened = new AsyncDisposableStack();
  before(async () => {
    store = new MemoryDeliveryStore();
    handler = createWebhookHandler({ secret: SECRET, store, farm, context: { repo: 'macports/macports-ports', workflow: 'ports.yml', platforms: PLATFORMS }, log: logged.log });
    server = createServer((req, res) => { handler.handle(req, res); });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    opened.defer(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));
    double = opened.adopt(await startGitHubDouble({ webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, webhookSecret: SECRET }), (d) => d.close());
    opened.defer(() => handler.close());
    clients = await createGitHubClients(
      { appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', retryBaseMs: 1, writeSpacingMs: 0, log: logged.log },
      signal,
    );
    gateway = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), cancelPollMs: 5, forceCancelAfterMs: 50, log: logged.log });
  });

  after(async () => {
    await opened.disposeAsync();
    double.assertNoViolations();
  });

  test('push → watcher per platform → dispatch → the run carries the build id; job and run events come back with it', async () => {
    farm.react = async (call, s) => {
      if (call.method === 'onPush') await gateway.dispatch(request(`w-${call.arg.platform.replaceAll('_', '-')}`, call.arg.platform, null), s);
    };
    push('c'.repeat(40), ['net/curl/Portfile']);
    const jobs = await farm.waitFor((c) => c.method === 'onWorkflowJob' && c.arg.action === 'queued', 2);
    farm.react = null;
    assert.deepEqual(jobs.map((c) => ('buildId' in c.arg ? c.arg.buildId : null)), ['w-15-arm64', 'w-14-x86-64']);
    assert.deepEqual(double.runs().map((r) => r.name), ['[w-15-arm64] watcher on 15_arm64', '[w-14-x86-64] watcher on 14_x86_64']);
    const runs = await gateway.listRuns(new Date(Date.now() - 60_000), signal);
    assert.deepEqual(runs.map((r) => [r.buildId, r.status]).sort(), [['w-14-x86-64', 'queued'], ['w-15-arm64', 'queued']]);
    // A runner with the build label runs the watcher: in_progress and completed arrive with the build id.
    const jit = await clients.installation.rest.actions.generateRunnerJitconfigForRepo({ owner: 'macports', repo: 'macports-ports', name: 'vm-1', runner_group_id: 1, labels: ['15_arm64', 'portfarm-build-w-15-arm64'] });
    const exit = await startRunnerStandIn({ encodedJitConfig: jit.data.encoded_jit_config }).exited;
    assert.equal(exit.conclusion, 'success');
    const done = await farm.waitFor((c) => c.method === 'onWorkflowRun' && c.arg.action === 'completed');
    assert.deepEqual(done.map((c) => ('buildId' in c.arg && 'conclusion' in c.arg ? [c.arg.buildId, c.arg.conclusion] : [])), [['w-15-arm64', 'success']]);
    assert.deepEqual(
      farm.calls.flatMap((c) => (c.method === 'onWorkflowJob' && c.arg.buildId === 'w-15-arm64' ? [`${c.arg.action}:${String(c.arg.runnerName)}`] : [])),
      ['queued:null', 'in_progress:vm-1', 'completed:vm-1'],
    );
  });

  test('crash between dispatch and recording it: reconcile finds the run by build id, nothing is dispatched twice', async () => {
    const since = new Date(Date.now() - 1000);
    await gateway.dispatch(request('crash-1', '26_arm64', 'curl'), signal); // the answer is "lost" with the crashed process
    const before = double.runs().length;
    const found = (await gateway.listRuns(since, signal)).filter((r) => r.buildId === 'crash-1');
    assert.equal(found.length, 1);
    assert.equal(double.runs().length, before, 'reconcile only reads');
    assert.deepEqual(found.map((r) => [r.status, r.conclusion]), [['queued', null]]);
  });

  test('cancel of an unstarted builder takes at once; a run that ignores cancel is force-cancelled', async () => {
    const { runId } = await gateway.dispatch(request('cancel-1', '13_arm64', 'zlib'), signal);
    await gateway.cancel(runId, signal);
    assert.deepEqual(double.runs().filter((r) => r.id === runId).map((r) => [r.status, r.conclusion]), [['completed', 'cancelled']]);
    const stubborn = await gateway.dispatch(request('cancel-2', '12_arm64', 'zlib'), signal);
    double.setIgnoreCancel(true);
    await gateway.cancel(stubborn.runId, signal);
    double.setIgnoreCancel(false);
    assert.deepEqual(double.requests.filter((r) => r.path.endsWith(`/runs/${stubborn.runId}/force-cancel`)).map((r) => r.status), [202]);
    assert.deepEqual(double.runs().filter((r) => r.id === stubborn.runId).map((r) => r.conclusion), ['cancelled']);
    assert.deepEqual(logged.entries.filter((e) => e.msg === 'run ignored cancel; force-cancelling').map((e) => e.runId), [stubborn.runId]);
    await gateway.cancel(runId, signal); // already completed: 409 is not an error
  });

  test('a 502 and a secondary rate limit are retried by the octokit layers; a 404 is a permanent GitHubError naming the request', async () => {
    double.failRequests({ status: 502, times: 1, operation: 'actions/create-workflow-dispatch' });
    double.failRequests({ status: 403, times: 1, operation: 'actions/create-workflow-dispatch', retryAfterSeconds: 1 }); // 0 would mean octokit's 60 s fallback
    const { runId } = await gateway.dispatch(request('retry-1', '11_arm64', 'curl'), signal);
    assert.deepEqual(double.requests.filter((r) => r.operation === 'actions/create-workflow-dispatch').slice(-3).map((r) => r.status), [502, 403, 200]);
    assert.equal(double.runs().filter((r) => r.id === runId).length, 1);
    const missing = createOctokitRunGateway({ clients, workflow: 'nope.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), log: logged.log });
    await assert.rejects(missing.dispatch(request('x', '11_arm64', null), signal), {
      name: 'GitHubError',
      status: 404,
      retryable: false,
      message: `dispatching nope.yml for build x: GitHub answered 404 to POST ${double.url}/repos/macports/macports-ports/actions/workflows/nope.yml/dispatches: Not Found (is the App installed on the repository, and does the workflow file exist on the default branch?)`,
    });
  });

  test('a PR build is never dispatched to ports.yml (no pr_number input; PRs run on ports-pr.yml): refused, permanently, nothing sent', async () => {
    const before = double.requests.length;
    await assert.rejects(gateway.dispatch({ ...request('q-7', '15_arm64', 'curl'), kind: 'pr-builder', prNumber: 7 }, signal), {
      name: 'GitHubError',
      retryable: false,
      message: 'build q-7 is for PR #7: pull requests are built by ports-pr.yml on their own pull_request trigger, never dispatched to ports.yml; not dispatched',
    });
    assert.equal(double.requests.length, before);
  });

  test('a lost webhook is recovered on start: failed deliveries not seen are redelivered once', async () => {
    await handler.idle();
    await double.deliveriesSettled();
    double.setWebhookFault('drop', ['push']);
    const lost = push('d'.repeat(40), ['devel/git/Portfile']);
    await double.deliveriesSettled();
    double.setWebhookFault('deliver');
    assert.equal(store.has(lost), false);
    const result = await recoverMissedDeliveries({ app: clients.app, store, log: logged.log }, signal);
    assert.deepEqual(result.redelivered, [lost]);
    const watchers = await farm.waitFor((c) => c.method === 'onPush' && c.arg.deliveryId === lost, 2);
    assert.deepEqual(watchers.map((c) => ('platform' in c.arg ? [c.arg.platform, c.arg.changedPorts] : [])), [['15_arm64', ['git']], ['14_x86_64', ['git']]]);
    await double.deliveriesSettled();
    assert.deepEqual((await recoverMissedDeliveries({ app: clients.app, store, log: logged.log }, signal)).redelivered, [], 'running it again redelivers nothing');
  });

  test('missed deliveries come back oldest first, also when they failed within one second (delivered_at has whole seconds)', async () => {
    await handler.idle();
    await double.deliveriesSettled();
    double.setWebhookFault('drop', ['push']);
    const burst = ['e', 'f', '1', '2', '3'].map((c) => push(c.repeat(40), ['devel/git/Portfile']));
    await double.deliveriesSettled();
    double.setWebhookFault('deliver');
    const result = await recoverMissedDeliveries({ app: clients.app, store, log: logged.log }, signal);
    // A newer push recovered before an older one would be built at the older revision.
    assert.deepEqual(result.redelivered, burst);
    await double.deliveriesSettled();
    await handler.idle();
  });
});
