import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'node:test';
import type { DatabaseSync } from 'node:sqlite';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { dependencyClosure } from '../../controller/ports/dependency-closure.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

// Every MacPorts port and subport of the shared data set (41,548), as a forced rebuild lists them.
const PORTS_JSON = fileURLToPath(new URL('../../../shared/data/macports/ports.json', import.meta.url));
const graph = await loadPortsGraph(PORTS_JSON, new AbortController().signal);
const REVISION = 'abcdef0';
const at = new Date(Date.UTC(2026, 7, 1));
const signal = new AbortController().signal;
// Given in reverse build order: the service must not trust the list's order for dependencies.
const EVERY_PORT = [...graph.names].reverse();

/** A forced-rebuild watcher dispatched and running on 15_arm64, ready to hand over its list. */
async function runningWatcher(db: DatabaseSync, portListSlice?: number): Promise<{ service: ReorderService; gateway: FakeRunGateway; buildId: string }> {
  const gateway = new FakeRunGateway();
  const service = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph, idPrefix: 'big', ...(portListSlice === undefined ? {} : { portListSlice }) });
  const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: REVISION, changedPorts: null, force: true, prNumber: null, now: at });
  await service.pump(at, signal);
  service.runStarted(buildId, at);
  return { service, gateway, buildId };
}

const list = (buildId: string): { buildId: string; platform: string; portsRevision: string; ports: string[]; excluded: [] } => ({ buildId, platform: '15_arm64', portsRevision: REVISION, ports: EVERY_PORT, excluded: [] });

/** The pending builders as the store has them: port → how many rows (a port queued twice shows 2). */
function storedBuilders(db: DatabaseSync): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of db.prepare(`select port from queue_entry where kind = 'builder' and state = 'pending'`).all()) out.set(String(row.port), (out.get(String(row.port)) ?? 0) + 1);
  return out;
}

function assertEveryPortOnce(db: DatabaseSync): void {
  const stored = storedBuilders(db);
  assert.equal(stored.size, new Set(EVERY_PORT).size, 'every listed port has a builder');
  assert.deepEqual([...stored].filter(([, n]) => n > 1), [], 'no port has two builders');
  assert.equal(db.prepare('select count(*) as n from port_list_intake').get()?.n, 0, 'nothing is left to queue');
}

test('a 41,548-port list is taken a slice at a time: timers and an HTTP request are served while it is being queued', async () => {
  const db = openStore(':memory:');
  const { service, buildId } = await runningWatcher(db, 1000);
  const events: string[] = [];
  let ticking = true;
  const tick = (): void => {
    if (!ticking) return;
    events.push('timer');
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const server = createServer((_req, res) => { res.end('pong'); });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  try {
    const { port } = server.address() as AddressInfo;
    const taking = service.takePortList(list(buildId), at, { onSlice: (done, total) => { events.push(`slice ${String(done)}/${String(total)}`); } }).then((taken) => {
      events.push('list taken');
      return taken;
    });
    const answer = await fetch(`http://127.0.0.1:${String(port)}/status`).then(async (response) => response.text());
    events.push('http answered');
    const taken = await taking;
    assert.equal(answer, 'pong');
    assert.equal(taken.added.length, EVERY_PORT.length);
    // The HTTP request was answered, and the timer kept firing, while slices were still to go.
    const answered = events.indexOf('http answered');
    assert.ok(answered >= 0 && answered < events.indexOf('list taken'), events.slice(0, 60).join(', '));
    assert.ok(events.slice(answered).some((e) => e.startsWith('slice ')), `no slice after the HTTP answer: ${events.filter((e) => e !== 'timer').slice(0, 10).join(', ')}`);
    const lastSlice = events.findLastIndex((e) => e.startsWith('slice '));
    const firstSlice = events.findIndex((e) => e.startsWith('slice '));
    assert.ok(events.slice(firstSlice, lastSlice).filter((e) => e === 'timer').length >= 10, 'the timer fired between slices');
    assert.equal(events[lastSlice], `slice ${String(EVERY_PORT.length)}/${String(EVERY_PORT.length)}`);
    assertEveryPortOnce(db);
  } finally {
    ticking = false;
    server.close();
  }
});

test('a list taken in slices queues the same builders as one taken at once (place, rank, revision, class)', async () => {
  const sliced = openStore(':memory:');
  const whole = openStore(':memory:');
  const a = await runningWatcher(sliced, 1000);
  const b = await runningWatcher(whole, 100_000);
  await a.service.takePortList(list(a.buildId), at);
  await b.service.takePortList(list(b.buildId), at);
  const rows = (db: DatabaseSync): string[] =>
    db.prepare(`select port, list_index, rank, seq, ports_revision, builder_class, origin from queue_entry where kind = 'builder' order by port`).all().map((r) => JSON.stringify(r));
  assert.deepEqual(rows(sliced), rows(whole));
  assert.equal(rows(sliced).length, EVERY_PORT.length);
});

test('builders are dispatchable while later slices are still to come, and none before a dependency a later slice queues', async () => {
  const db = openStore(':memory:');
  const { service, gateway, buildId } = await runningWatcher(db, 1000);
  let pumped = false;
  const checked: string[] = [];
  await service.takePortList(list(buildId), at, {
    pause: async () => {
      // After the first slice: the next build goes out while 40,548 ports are not queued yet.
      if (!pumped && storedBuilders(db).size > 0) {
        pumped = true;
        // The watcher's run ends (its list was accepted with the first slice): its lane is free.
        service.runFinished(buildId, 'success', at);
        await service.pump(at, signal);
        const queued = storedBuilders(db);
        for (const run of gateway.runs) {
          const port = run.request.port;
          if (port === null) continue;
          checked.push(port);
          const id = graph.ids.get(port.toLowerCase());
          assert.ok(id !== undefined);
          const missing = dependencyClosure(graph, id).map((dep) => graph.names[dep] ?? '').filter((dep) => dep !== port && !queued.has(dep));
          assert.deepEqual(missing, [], `${port} was dispatched before its dependencies were queued`);
        }
      }
      await new Promise<void>((resolve) => { setImmediate(resolve); });
    },
  });
  assert.equal(checked.length, 1, 'one builder was dispatched after the first slice');
  assert.ok(storedBuilders(db).size + 1 >= new Set(EVERY_PORT).size);
});

test('a stop between slices loses nothing: the list is durable from its first slice, and the next start queues the rest once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-slices-'));
  try {
    const path = join(dir, 'state.sqlite');
    const db = openStore(path);
    const { service, buildId } = await runningWatcher(db, 1000);
    const stop = new AbortController();
    let slices = 0;
    await assert.rejects(service.takePortList(list(buildId), at, { signal: stop.signal, onSlice: () => { if (++slices === 5) stop.abort(new Error('controller stopping')); } }), /controller stopping/);
    assert.equal(storedBuilders(db).size, 6000, 'the first slice and 5 more are down');
    assert.equal(db.prepare('select next from port_list_intake').get()?.next, 6000);
    // A resent list (the watcher retries) is not taken twice.
    db.close();
    const again = openStore(path);
    const restarted = new ReorderService({ db: again, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph, portListSlice: 1000 });
    assert.equal(restarted.describeBuild(buildId)?.listAccepted, true, 'the list counts as accepted after the restart');
    const resent = await restarted.takePortList(list(buildId), at);
    assert.equal(resent.added.length, EVERY_PORT.length - 6000, 'a resent list queues what was left, nothing more');
    assertEveryPortOnce(again);
    // A new list after it gets an enqueue number of its own, above the half-queued one's.
    const seqs = again.prepare(`select distinct seq from queue_entry where kind = 'builder'`).all();
    assert.equal(seqs.length, 1);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a controller killed (SIGKILL) in the middle of a 41,548-port list: the restart queues the rest, every port once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-slices-'));
  try {
    const path = join(dir, 'state.sqlite');
    const db = openStore(path);
    const { buildId } = await runningWatcher(db);
    db.close();
    const worker = fileURLToPath(new URL('./port-list-crash-worker.ts', import.meta.url));
    const child = spawnSync(process.execPath, [worker, path, PORTS_JSON, buildId, REVISION, '7'], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.doesNotMatch(child.stdout, /taken whole/);
    const after = openStore(path);
    assert.equal(storedBuilders(after).size, 8000, 'the first slice and 7 more were committed before the kill');
    const restarted = new ReorderService({ db: after, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph });
    await restarted.resumePortLists(at);
    assertEveryPortOnce(after);
    const status = restarted.queueStatus(at)[0];
    assert.equal(status?.pending.builders, new Set(EVERY_PORT).size);
    after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
