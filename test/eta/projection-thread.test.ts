import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DurationEstimate } from '../../controller/eta/duration-estimate.ts';
import { FarmEta } from '../../controller/eta/farm-eta.ts';
import { projectQueue } from '../../controller/eta/project-queue.ts';
import { projectionJob } from '../../controller/eta/projection-job.ts';
import { ProjectionThread } from '../../controller/eta/projection-thread.ts';
import { createPortsGraph } from '../../controller/ports/create-ports-graph.ts';
import type { PortsGraph } from '../../controller/ports/ports-graph.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import type { PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { commit, counterContext, makeQueue, port } from '../queue/queue-helpers.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 3, 12);
const signal = new AbortController().signal;

/** `size` ports in families of 50, each depending on one or two ports before it in its family (a deterministic stand-in for the MacPorts graph). */
function chainGraph(size: number): PortsGraph {
  const names = Array.from({ length: size }, (_, i) => `p${String(i)}`);
  const deps = (i: number): string[] => {
    const start = i - (i % 50);
    if (i === start) return [];
    return [...new Set([`p${String(i - 1)}`, `p${String(start + ((i * 7) % (i - start)))}`])];
  };
  return createPortsGraph(names.map((name, i) => port(name, deps(i))));
}

/** Durations that differ per port, and none for every 11th (unknown). */
function durations(entry: QueueEntry): DurationEstimate | undefined {
  if (entry.port === null) return { median: 3 * MIN, sigma: 0.2, source: 'watcher', samples: 8, shared: 0 };
  const n = Number(entry.port.slice(1));
  return n % 11 === 0 ? undefined : { median: (5 + (n % 17)) * MIN, sigma: 0.3, source: n % 2 === 0 ? 'port' : 'similar-size', samples: 3, shared: n % 3 === 0 ? 0.1 : 0 };
}

/** Two lists over the graph, a failed port blocking its dependents, a run in flight and a watcher waiting. */
function bigQueue(graph: PortsGraph): PlatformQueue {
  const queue = makeQueue('portfarm', graph);
  const ctx = counterContext(NOW - 60 * MIN);
  const names = graph.names;
  commit(queue, ctx, 'aaaaaaa', names.slice(0, names.length / 2).toReversed());
  // The first builder fails: what depends on it is blocked (never selected in the projection).
  const first = selectNext(queue);
  assert.ok(first !== null);
  markDispatching(queue, first, ctx.now);
  markStarted(first, ctx.now);
  markFinished(queue, first, 'failure', ctx.now);
  commit(queue, ctx, 'bbbbbbb', names.slice(names.length / 3));
  const running = selectNext(queue);
  assert.ok(running !== null);
  markDispatching(queue, running, ctx.now);
  enqueueWatcher(queue, { portsRevision: 'ccccccc', changedPorts: null, force: false, prNumber: null }, ctx);
  return queue;
}

test('the worker thread projects exactly what the event loop projects: same runs, order, ranges and unknowns', async () => {
  const graph = chainGraph(1500);
  const queue = bigQueue(graph);
  const rates = { duration: durations, watcher: durations({ port: null } as QueueEntry), pushesPerMs: 2 / (60 * MIN), now: NOW };
  const inLoop = projectQueue({ queue, ...rates });
  const thread = new ProjectionThread();
  try {
    const job = projectionJob(queue, rates);
    const off = await thread.project(job, graph);
    assert.ok(inLoop.some((r) => r.unknown === 'not-selected'), 'the failed port blocks some builders');
    assert.ok(inLoop.some((r) => r.unknown === 'no-history') && inLoop.some((r) => r.position === 0));
    assert.deepEqual(off, inLoop);
    // The graph crossed once: a second job for the same graph gives the same answer without it.
    assert.deepEqual(await thread.project(projectionJob(queue, rates), graph), inLoop);
    // A new graph (a new ports tree) is sent again.
    const small = chainGraph(200);
    const smallQueue = bigQueue(small);
    assert.deepEqual(await thread.project(projectionJob(smallQueue, rates), small), projectQueue({ queue: smallQueue, ...rates }));
  } finally {
    await thread.close();
  }
  await assert.rejects(thread.project(projectionJob(queue, rates), graph), /closed/);
});

test('off the loop, the event loop keeps turning while a projection is made; in the loop it does not turn at all', async () => {
  const graph = chainGraph(3000);
  const turnsDuring = async (projector: ProjectionThread | undefined): Promise<{ turns: number; builds: number }> => {
    const { eta, close } = await farmOf(graph, projector);
    let turns = 0;
    let done = false;
    const spin = (): void => {
      if (done) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const snapshot = await eta.snapshot(NOW);
    done = true;
    await close();
    return { turns, builds: snapshot.builds.length };
  };
  const inLoop = await turnsDuring(undefined);
  const off = await turnsDuring(new ProjectionThread());
  assert.equal(inLoop.turns, 0, 'projected in the loop, nothing else ran until it was done');
  assert.ok(off.turns > 0, 'off the loop, other work ran while the worker projected');
  assert.equal(off.builds, inLoop.builds);
  assert.ok(off.builds > 1000);
});

test('FarmEta with a worker gives the answers it gives in the loop; before its first projection a platform is left out, and answerFresh waits for it', async () => {
  const graph = chainGraph(300);
  const inLoop = await farmOf(graph, undefined);
  const off = await farmOf(graph, new ProjectionThread());
  try {
    assert.deepEqual(off.eta.answer('p120', undefined, NOW).builds, [], 'nothing projected yet: the loop does not wait');
    const fresh = await off.eta.answerFresh('p120', undefined, NOW);
    assert.deepEqual(fresh, inLoop.eta.answer('p120', undefined, NOW));
    assert.equal(fresh.builds.length, 1);
    assert.deepEqual(off.eta.answer('p120', undefined, NOW), fresh, 'the projection made is kept');
    assert.deepEqual(await off.eta.snapshot(NOW), await inLoop.eta.snapshot(NOW));
    const build = fresh.builds[0];
    assert.ok(build !== undefined);
    assert.deepEqual(off.eta.forBuild('15_arm64', build.buildId, NOW), build);
  } finally {
    await off.close();
    await inLoop.close();
  }
});

/** A controller's store and queue: a watcher's list of every port of `graph`, ports learnt from 30 finished builds. */
async function farmOf(graph: PortsGraph, projector: ProjectionThread | undefined) {
  const db = openStore(':memory:');
  const service = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph, idPrefix: 'tst' });
  const eta = new FarmEta({ db, graph, platforms: ['15_arm64'], peek: (p, look) => service.peekQueue(p, look), ...(projector === undefined ? {} : { projector }) });
  const at = (minute: number): Date => new Date(NOW - 600 * MIN + minute * MIN);
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now: at(0) });
  let { dispatched } = await service.pump(at(0), signal);
  const watcher = dispatched[0] ?? '';
  service.runStarted(watcher, at(1));
  service.acceptPortList({ buildId: watcher, platform: '15_arm64', portsRevision: 'aaaaaaa1', ports: [...graph.names], excluded: [] }, at(2));
  service.runFinished(watcher, 'success', at(3));
  for (let i = 0; i < 30; i += 1) {
    ({ dispatched } = await service.pump(at(4 + i * 10), signal));
    const id = dispatched[0] ?? '';
    service.runStarted(id, at(5 + i * 10));
    service.runFinished(id, 'success', at(10 + i * 10 + (i % 4)));
  }
  return { eta, close: async () => { await eta.close(); db.close(); } };
}
