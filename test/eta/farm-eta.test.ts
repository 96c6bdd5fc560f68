import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { FarmEta } from '../../controller/eta/farm-eta.ts';
import { etaAnswerSchema } from '../../controller/eta/eta-answer.ts';
import { createEtaRequestHandler } from '../../controller/eta/eta-request-handler.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';

const signal = new AbortController().signal;
const T0 = Date.UTC(2026, 7, 1, 12);
const at = (minute: number): Date => new Date(T0 + minute * 60_000);
const PLATFORMS = ['15_arm64', '14_x86_64'];

/** A farm whose store saw: a watcher (4 min), then leaf (10 min) and zlib (20 min) built on 15_arm64. */
async function farm() {
  const db = openStore(':memory:');
  const service = new ReorderService({ db, platforms: PLATFORMS, gateway: new FakeRunGateway(), graph: SMALL_GRAPH, idPrefix: 'tst' });
  const eta = new FarmEta({ db, graph: SMALL_GRAPH, platforms: PLATFORMS, peek: (p, look) => service.peekQueue(p, look), reuseMs: 0 });
  const run = async (minute: number, length: number, ports?: string[]): Promise<void> => {
    const { dispatched } = await service.pump(at(minute), signal);
    const id = dispatched[0];
    assert.ok(id !== undefined);
    service.runStarted(id, at(minute + 1));
    if (ports !== undefined) service.acceptPortList({ buildId: id, platform: '15_arm64', portsRevision: 'aaaaaaa1', ports, excluded: [] }, at(minute + 2));
    service.runFinished(id, 'success', at(minute + length));
  };
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now: at(0) });
  await run(0, 4, ['leaf', 'zlib']);
  await run(4, 20); // zlib (lower rank) first
  await run(24, 10);
  return { db, service, eta };
}

test('a queued port is answered with its place in line and a finish learnt from the builds the store has seen', async () => {
  const { service, eta } = await farm();
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'bbbbbbb2', changedPorts: null, force: false, prNumber: null, now: at(40) });
  const { dispatched } = await service.pump(at(40), signal);
  service.runStarted(dispatched[0] ?? '', at(41));
  service.acceptPortList({ buildId: dispatched[0] ?? '', platform: '15_arm64', portsRevision: 'bbbbbbb2', ports: ['zlib', 'leaf'], excluded: [] }, at(42));
  const answer = etaAnswerSchema.parse(eta.answer('LEAF', undefined, at(42).getTime()));
  assert.equal(answer.builds.length, 1, 'queued on one platform only');
  const leaf = answer.builds[0];
  assert.ok(leaf?.finish != null);
  assert.equal(leaf.platform, '15_arm64');
  assert.equal(leaf.state, 'pending');
  // The watcher in flight (4 min, 2 gone), then zlib (20 min), then leaf (10 min).
  assert.equal(leaf.ahead, 2);
  assert.equal(leaf.basis, 'port');
  const minutes = (iso: string) => (Date.parse(iso) - T0) / 60_000;
  const { low, mid, high } = leaf.finish;
  assert.ok(Math.abs(minutes(mid) - (42 + 2 + 20 + 10)) < 2, String(minutes(mid)));
  assert.ok(minutes(low) < minutes(mid) && minutes(mid) < minutes(high));
  assert.deepEqual(eta.answer('git', undefined, at(42).getTime()).builds, [], 'nothing queued: no builds');
});

test('GET /api/eta: the answer as JSON; a missing or bad port and an unknown platform are 400s naming the fix', async () => {
  const seen: unknown[] = [];
  const handler = createEtaRequestHandler({
    answer: (port, platform, now) => { seen.push([port, platform, now]); return { port, generatedAt: new Date(now).toISOString(), builds: [] }; },
    platforms: PLATFORMS,
    now: () => at(0),
  });
  const server = createServer((req, res) => { void handler(req, res); });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  try {
    const { port } = server.address() as AddressInfo;
    const ask = async (path: string): Promise<{ status: number; body: string }> => {
      const response = await fetch(`http://127.0.0.1:${String(port)}${path}`);
      return { status: response.status, body: await response.text() };
    };
    assert.deepEqual(await ask('/api/eta?port=curl&platform=14_x86_64'), { status: 200, body: `${JSON.stringify({ port: 'curl', generatedAt: at(0).toISOString(), builds: [] })}\n` });
    assert.deepEqual(seen, [['curl', '14_x86_64', T0]]);
    assert.match((await ask('/api/eta')).body, /port is missing; ask GET \/api\/eta\?port=<port>/);
    assert.equal((await ask('/api/eta?port=')).status, 400);
    assert.match((await ask('/api/eta?port=net/curl')).body, /contains \\"\/\\"/);
    const unknown = await ask('/api/eta?port=curl&platform=9_ppc');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body, /platform \\"9_ppc\\" is not built here; use one of 15_arm64, 14_x86_64/);
    assert.equal(seen.length, 1, 'refused requests never reach the estimator');
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
