/**
 * `npm run bench:github`: the GitHub face against the GitHub double on loopback.
 *  1. webhook → dispatch latency at 100 concurrent pushes (each touching a port; 2 platforms,
 *     so 200 dispatches): from the double sending the push delivery to the controller getting
 *     the run id back from workflow_dispatch. The farm stand-in dispatches every watcher at
 *     once (the real reorder service keeps one run per platform in flight).
 *  2. API calls per build: a builder run end to end (dispatch, JIT runner, check run
 *     queued → in_progress → completed, runner clean-up), counted at the double.
 * Write spacing is 0 here (against GitHub the client spaces mutations 1 s apart, which then
 * dominates the latency: 200 dispatches ≥ 200 s).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { CheckRunPublisher } from '../../controller/github/check-run-publisher.ts';
import { portCheckRun } from '../../controller/github/port-check-run.ts';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { createWebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import type { FarmEvents } from '../../controller/github/farm-events.ts';
import { MemoryDeliveryStore } from '../../controller/github/memory-delivery-store.ts';
import { learnFarmIdentity } from '../../controller/github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../../controller/github/octokit-run-gateway.ts';
import { startGitHubDouble } from '../github-double/github-double.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';

const PUSHES = 100;
const BUILDS = 20;
const PLATFORMS = ['15_arm64', '14_x86_64'];
const SECRET = 'bench-secret';
const log = pino({ level: 'silent' });
const signal = new AbortController().signal;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function latencyRun(concurrency: number): Promise<{ p50: number; p95: number; max: number; n: number; wallMs: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((resolve) => { finish = resolve; });
  let dispatchWatcher: (platform: string, deliveryId: string, sha: string) => Promise<void> = () => Promise.resolve();
  const farm: FarmEvents = {
    async onPush(request) {
      await dispatchWatcher(request.platform, request.deliveryId, request.portsRevision);
    },
    onPullRequest: () => Promise.resolve(),
    onWorkflowRun: () => Promise.resolve(),
    onWorkflowJob: () => Promise.resolve(),
  };
  const handler = createWebhookHandler({ secret: SECRET, store: new MemoryDeliveryStore(), farm, context: { repo: 'macports/macports-ports', workflow: 'ports.yml', platforms: PLATFORMS }, log, concurrency });
  const server = createServer((req, res) => { handler.handle(req, res); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const double = await startGitHubDouble({ webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, webhookSecret: SECRET });
  const clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log }, signal);
  const gateway = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), log });
  let n = 0;
  dispatchWatcher = async (platform, deliveryId, sha) => {
    n += 1;
    await gateway.dispatch({ buildId: `w${n}`, platform, kind: 'watcher', port: null, portsRevision: sha.slice(0, 12), force: false, portlist: null, prNumber: null, lane: 0 }, signal);
    const t0 = sentAt.get(deliveryId);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
    done += 1;
    if (done === PUSHES * PLATFORMS.length) finish();
  };
  const start = performance.now();
  for (let i = 0; i < PUSHES; i += 1) {
    const sha = i.toString(16).padStart(40, '0');
    const guid = double.push({ ref: 'refs/heads/master', before: 'a'.repeat(40), after: sha, commits: [{ id: sha, message: `port ${i}`, timestamp: new Date().toISOString(), added: [], removed: [], modified: [`net/port${i}/Portfile`] }] });
    sentAt.set(guid, performance.now());
  }
  await all;
  const wallMs = performance.now() - start;
  await handler.close();
  await double.close();
  server.close();
  double.assertNoViolations();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN, n: sorted.length, wallMs };
}

async function callsPerBuild(): Promise<{ perBuild: Record<string, number>; total: number; unbatchedChecks: number }> {
  const double = await startGitHubDouble({});
  const clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log }, signal);
  const gateway = createOctokitRunGateway({ clients, workflow: 'ports.yml', ref: 'master', farm: await learnFarmIdentity(clients, { workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml' }, signal), log });
  const checks = new CheckRunPublisher({ clients, log });
  const { installation: octokit } = clients;
  const before = double.requests.length;
  let checkCalls = 0;
  const sha = 'e'.repeat(40);
  // The watcher listed BUILDS ports: their checks are created queued in one flush.
  for (let i = 0; i < BUILDS; i += 1) checks.update(portCheckRun({ headSha: sha, port: `port${i}`, platform: '15_arm64', status: 'queued', at: new Date() }));
  checkCalls += (await checks.flush(signal)).apiCalls;
  for (let i = 0; i < BUILDS; i += 1) {
    const buildId = `b${i}`;
    await gateway.dispatch({ buildId, platform: '15_arm64', kind: 'builder', port: `port${i}`, portsRevision: 'abc1234', force: false, portlist: null, prNumber: null, lane: 0 }, signal);
    const jit = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner: 'macports', repo: 'macports-ports', name: `vm-${buildId}`, runner_group_id: 1, labels: ['15_arm64', `portfarm-build-${buildId}`] });
    const runner = startRunnerStandIn({ encodedJitConfig: jit.data.encoded_jit_config });
    await runner.online;
    checks.update(portCheckRun({ headSha: sha, port: `port${i}`, platform: '15_arm64', status: 'in_progress', at: new Date() }));
    checkCalls += (await checks.flush(signal)).apiCalls;
    await runner.exited;
    checks.update(portCheckRun({ headSha: sha, port: `port${i}`, platform: '15_arm64', status: 'completed', conclusion: 'success', at: new Date() }));
    checkCalls += (await checks.flush(signal)).apiCalls;
    // The runner manager's orphan check: the ephemeral runner is gone (404 is the expected answer).
    await octokit.rest.actions.getSelfHostedRunnerForRepo({ owner: 'macports', repo: 'macports-ports', runner_id: jit.data.runner.id }).catch(() => undefined);
  }
  const counts: Record<string, number> = {};
  for (const r of double.requests.slice(before)) counts[r.operation ?? r.path] = (counts[r.operation ?? r.path] ?? 0) + 1;
  const perBuild: Record<string, number> = {};
  for (const [op, c] of Object.entries(counts)) perBuild[op] = Math.round((c / BUILDS) * 100) / 100;
  await double.close();
  double.assertNoViolations();
  return { perBuild, total: Math.round(((double.requests.length - before) / BUILDS) * 100) / 100, unbatchedChecks: checkCalls / BUILDS };
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
console.log(`github bench: ${PUSHES} concurrent pushes × ${PLATFORMS.length} platforms = ${PUSHES * PLATFORMS.length} dispatches, against the GitHub double (every request/response/webhook schema-checked)`);
for (const concurrency of [1, 8]) {
  const r = await latencyRun(concurrency);
  console.log(`  webhook → dispatch (handler concurrency ${concurrency}): p50 ${fmt(r.p50)}  p95 ${fmt(r.p95)}  max ${fmt(r.max)}  (${r.n} dispatches in ${fmt(r.wallMs)})`);
}
const calls = await callsPerBuild();
console.log(`  API calls per builder build (${BUILDS} builds, runner stand-in, checks flushed at each phase): ${calls.total}`);
for (const [op, c] of Object.entries(calls.perBuild).sort()) console.log(`    ${op.padEnd(48)} ${c}`);
console.log(`  of which check runs: ${calls.unbatchedChecks} per build (batched flushes coalesce queued→completed into fewer calls)`);
