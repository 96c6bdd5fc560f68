// npm run bench:eta [-- --data DIR --json]: the ETA's projection at full-rebuild size (issue #19):
// every port of the MacPorts data set queued on one platform behind 300 finished builds, projected
// in the event loop (as before) and in the worker thread (as the controller does now), with how
// long the event loop was held in each case; and what the site's port pages grow by when every
// port is pending (the ETA snapshot as `site build --eta` stores it). Reads the full data set.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FarmEta } from '../../controller/eta/farm-eta.ts';
import { ProjectionThread } from '../../controller/eta/projection-thread.ts';
import { projectionJob, runProjectionJob } from '../../controller/eta/projection-job.ts';
import { createDurationHistory } from '../../controller/eta/duration-history.ts';
import { runDuration } from '../../controller/eta/run-duration.ts';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { parseEtaSnapshot, pendingByPort } from '../../site/build/eta-snapshot.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(repo, '..', 'shared', 'data', 'macports') },
    learnt: { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
  },
});
const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const learnt = Number(values.learnt);
if (!Number.isInteger(learnt) || learnt < 1) throw new Error(`--learnt ${JSON.stringify(values.learnt)} must be a whole number of finished builds, e.g. 300`);

const graph = await loadPortsGraph(join(values.data, 'ports.json'));
const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 1);
const at = (minute: number): Date => new Date(T0 + minute * MIN);
const signal = new AbortController().signal;
const PLATFORM = '15_arm64';

/** A store and queue: a forced rebuild's list of every port, `learnt` of them built (the history the estimates rest on). */
async function farm() {
  const db = openStore(':memory:');
  const service = new ReorderService({ db, platforms: [PLATFORM], gateway: new FakeRunGateway(), graph, idPrefix: 'bch' });
  service.enqueueWatcher({ platform: PLATFORM, portsRevision: 'aaaaaaa1', changedPorts: null, force: true, prNumber: null, now: at(0) });
  let { dispatched } = await service.pump(at(0), signal);
  const watcher = dispatched[0] ?? '';
  service.runStarted(watcher, at(1));
  service.acceptPortList({ buildId: watcher, platform: PLATFORM, portsRevision: 'aaaaaaa1', ports: [...graph.names], excluded: [] }, at(2));
  service.runFinished(watcher, 'success', at(3));
  for (let i = 0; i < learnt; i += 1) {
    ({ dispatched } = await service.pump(at(4 + i * 10), signal));
    const id = dispatched[0] ?? '';
    service.runStarted(id, at(5 + i * 10));
    service.runFinished(id, 'success', at(8 + i * 10 + (i % 7)));
  }
  await service.pump(at(4 + learnt * 10), signal);
  const pending = service.peekQueue(PLATFORM, (q) => q.entries.size);
  return { db, service, pending, now: T0 + (6 + learnt * 10) * MIN };
}

process.stderr.write(`bench:eta: queueing ${String(graph.names.length)} ports and building ${String(learnt)} of them ...\n`);
const { db, service, pending, now } = await farm();
out(`queue: ${String(pending)} builds on ${PLATFORM} (a forced rebuild of every port, ${String(learnt)} built before)`);

const peek = <T>(platform: string, look: Parameters<typeof service.peekQueue<T>>[1]): T => service.peekQueue(platform, look);

/**
 * Runs `work` while a 1 ms timer chain notes every turn of the event loop: the longest gap
 * between two turns (or from the start to the first) is the longest the loop was held.
 */
async function held<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; maxHeldMs: number }> {
  let last = performance.now();
  let maxGap = 0;
  let running = true;
  const tick = (): void => {
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last);
    last = t;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const start = performance.now();
  const result = await work();
  const wallMs = performance.now() - start;
  await new Promise((r) => setTimeout(r, 5));
  running = false;
  return { result, wallMs, maxHeldMs: maxGap };
}

process.stderr.write('bench:eta: projecting in the event loop ...\n');
const inLoop = new FarmEta({ db, graph, platforms: [PLATFORM], peek });
const loop = await held(async () => inLoop.snapshot(now));
out(`in the event loop:  ${loop.wallMs.toFixed(0)} ms, the loop held up to ${loop.maxHeldMs.toFixed(0)} ms`);

process.stderr.write('bench:eta: projecting in the worker thread ...\n');
const thread = new ProjectionThread();
const offFirst = new FarmEta({ db, graph, platforms: [PLATFORM], peek, projector: thread, reuseMs: 0 });
const first = await held(async () => offFirst.snapshot(now));
out(`worker, first (graph sent): ${first.wallMs.toFixed(0)} ms, the loop held up to ${first.maxHeldMs.toFixed(0)} ms`);
const again = await held(async () => offFirst.snapshot(now + 1));
out(`worker, again:             ${again.wallMs.toFixed(0)} ms, the loop held up to ${again.maxHeldMs.toFixed(0)} ms`);
await thread.close();
// Where the loop's share goes: taking the job from the live queue, copying it to the worker, copying the runs back.
const rates = { duration: runDuration(createDurationHistory(), graph), watcher: undefined, pushesPerMs: 0, now };
let mark = performance.now();
const job = peek(PLATFORM, (queue) => projectionJob(queue, rates));
const jobMs = performance.now() - mark;
mark = performance.now();
structuredClone(job);
const sendMs = performance.now() - mark;
const runs = runProjectionJob(job, graph);
mark = performance.now();
structuredClone(runs);
const receiveMs = performance.now() - mark;
out(`  the loop's share: job from the queue ${jobMs.toFixed(0)} ms, copying it to the worker ${sendMs.toFixed(0)} ms, the runs back ${receiveMs.toFixed(0)} ms`);
const same = JSON.stringify(first.result) === JSON.stringify(loop.result);
out(`worker answer equal to the loop's: ${same ? 'yes' : 'NO'}`);

const text = JSON.stringify(loop.result);
const byPort = pendingByPort(parseEtaSnapshot(text, 'bench'));
let pendingBytes = 0;
let builds = 0;
for (const list of byPort.values()) {
  pendingBytes += Buffer.byteLength(`,"pending":${JSON.stringify(list)}`);
  builds += list.length;
}
out(`site: the snapshot is ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB for ${String(builds)} pending builds; the port pages grow by ${(pendingBytes / 1e6).toFixed(2)} MB (${(pendingBytes / builds).toFixed(1)} bytes a pending build)`);
db.close();
if (values.json) {
  out(JSON.stringify({ queue: pending, inLoop: { wallMs: loop.wallMs, maxHeldMs: loop.maxHeldMs }, worker: { first: { wallMs: first.wallMs, maxHeldMs: first.maxHeldMs }, again: { wallMs: again.wallMs, maxHeldMs: again.maxHeldMs }, share: { jobMs, sendMs, receiveMs } }, equal: same, site: { snapshotBytes: Buffer.byteLength(text), pendingBuilds: builds, pendingBytes } }));
}
