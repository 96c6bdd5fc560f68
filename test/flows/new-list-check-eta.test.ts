import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FarmEta } from '../../controller/eta/farm-eta.ts';
import { runProjectionJob } from '../../controller/eta/projection-job.ts';
import type { QueueProjector } from '../../controller/eta/projection-thread.ts';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';
import { recordingPublisher } from './dispatched-builder.ts';

const signal = new AbortController().signal;
const T0 = Date.UTC(2026, 7, 1, 12);
const at = (minute: number): Date => new Date(T0 + minute * 60_000);
const PLATFORM = '15_arm64';

/** A projector off the caller's turn, as the worker thread is: it answers on a later turn, or never. */
function laterProjector(answers: boolean): QueueProjector & { jobs: number } {
  const projector = {
    jobs: 0,
    project: (job: Parameters<QueueProjector['project']>[0], graph: Parameters<QueueProjector['project']>[1]) => {
      projector.jobs += 1;
      if (!answers) return new Promise<never>(() => undefined);
      return new Promise<ReturnType<typeof runProjectionJob>>((resolve) => setImmediate(() => { resolve(runProjectionJob(job, graph)); }));
    },
    close: () => Promise.resolve(),
  };
  return projector;
}

/**
 * A farm that built leaf and zlib before, whose projection was made at minute 40 (a watcher
 * running), and a list (zlib, leaf) accepted at minute 42: no projection holds it yet.
 */
async function farmWithNewList(projector: QueueProjector) {
  const db = openStore(':memory:');
  const reorder = new ReorderService({ db, platforms: [PLATFORM], gateway: new FakeRunGateway(), graph: SMALL_GRAPH, idPrefix: 'nl' });
  const eta = new FarmEta({ db, graph: SMALL_GRAPH, platforms: [PLATFORM], peek: (p, look) => reorder.peekQueue(p, look), projector });
  const run = async (minute: number, length: number, ports?: string[]): Promise<string> => {
    const { dispatched } = await reorder.pump(at(minute), signal);
    const id = dispatched[0];
    assert.ok(id !== undefined);
    reorder.runStarted(id, at(minute + 1));
    if (ports !== undefined) reorder.acceptPortList({ buildId: id, platform: PLATFORM, portsRevision: 'aaaaaaa1', ports, excluded: [] }, at(minute + 2));
    if (length > 0) reorder.runFinished(id, 'success', at(minute + length));
    return id;
  };
  reorder.enqueueWatcher({ platform: PLATFORM, portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now: at(0) });
  await run(0, 4, ['leaf', 'zlib']);
  await run(4, 20);
  await run(24, 10);
  reorder.enqueueWatcher({ platform: PLATFORM, portsRevision: 'bbbbbbb2', changedPorts: null, force: false, prNumber: null, now: at(40) });
  const watcher = await run(40, 0);
  return { db, reorder, eta, watcher };
}

test('a list accepted while the projection does not hold it: its queued checks go out with the estimate on their first write', async () => {
  const projector = laterProjector(true);
  const { db, reorder, eta, watcher } = await farmWithNewList(projector);
  // The last projection (minute 40) has the watcher running and nothing queued.
  await eta.snapshot(at(40).getTime());
  let clock = at(40);
  const publisher = recordingPublisher();
  const etaChecks = { answer: (port: string, platform: string, now: number) => eta.answer(port, platform, now), refreshMs: 10 * 60_000, refreshPerFlush: 20 };
  const checks = new CheckPublishing({
    publisher, reorder, versionOf: () => undefined, now: () => clock,
    eta: { ...etaChecks, projected: { mark: () => eta.queueMark(), since: (p, mark, now) => eta.projectedSince(p, mark, now), waitMs: 60_000 } },
  });
  clock = at(40.5);
  const list = { buildId: watcher, platform: PLATFORM, portsRevision: 'bbbbbbb2', ports: ['zlib', 'leaf'], excluded: [] };
  reorder.acceptPortList(list, clock);
  // Within the minute the last projection is reused for: only waiting for one that holds the list helps.
  assert.equal(eta.answer('zlib', PLATFORM, clock.getTime()).builds.length, 0, 'the last projection does not hold the new list');
  // Without waiting (how it was since the worker), the list's checks had no estimate on their first write.
  const unwaited = recordingPublisher();
  new CheckPublishing({ publisher: unwaited, reorder, versionOf: () => undefined, now: () => clock, eta: etaChecks }).queued(list);
  assert.deepEqual(unwaited.checks.map((c) => c.output.title), ['zlib queued on 15_arm64', 'leaf queued on 15_arm64']);
  checks.queued(list);
  assert.equal(publisher.checks.length, 0, 'nothing written before the projection holds the list');
  assert.equal(checks.awaitingCount, 2, 'the check worker sees them as pending work');
  const jobsBefore = projector.jobs;
  await checks.flush(signal);
  assert.equal(projector.jobs, jobsBefore + 1, 'one projection for the list, in the projector');
  assert.equal(checks.awaitingCount, 0);
  const titles = publisher.checks.map((c) => [c.externalId, c.status, c.output.title]);
  assert.equal(titles.length, 2, JSON.stringify(titles));
  for (const [externalId, status, title] of titles) {
    assert.equal(status, 'queued');
    assert.match(title ?? '', /^(zlib|leaf) queued on 15_arm64, \d+(st|nd|rd|th) in line, estimated ready around \d\d:\d\d UTC \(\d\d:\d\d–\d\d:\d\d\)$/, `${String(externalId)}: ${String(title)}`);
  }
  await eta.close();
  db.close();
});

test('a projection that never answers: the new list\'s queued checks still go out, without an estimate, after the bounded wait; a build started meanwhile is not set back to queued', async () => {
  const projector = laterProjector(false);
  const { db, reorder, eta, watcher } = await farmWithNewList(projector);
  const clock = at(41);
  const publisher = recordingPublisher();
  const checks = new CheckPublishing({
    publisher, reorder, versionOf: () => undefined, now: () => clock,
    eta: { answer: (port, platform, now) => eta.answer(port, platform, now), refreshMs: 10 * 60_000, refreshPerFlush: 20, projected: { mark: () => eta.queueMark(), since: (p, mark, now) => eta.projectedSince(p, mark, now), waitMs: 50 } },
  });
  const list = { buildId: watcher, platform: PLATFORM, portsRevision: 'bbbbbbb2', ports: ['zlib', 'leaf'], excluded: [] };
  reorder.acceptPortList(list, clock);
  checks.queued(list);
  reorder.runFinished(watcher, 'success', at(41));
  reorder.recorded(watcher);
  const { dispatched } = await reorder.pump(at(41), signal);
  const zlib = dispatched.find((id) => reorder.describeBuild(id)?.port === 'zlib');
  assert.ok(zlib !== undefined, `zlib dispatched: ${JSON.stringify(dispatched)}`);
  const flushed = checks.flush(signal);
  checks.started(zlib, at(41));
  await flushed;
  assert.deepEqual(publisher.checks.map((c) => [c.externalId, c.status, c.output.title]), [
    ['15_arm64/zlib', 'in_progress', 'building zlib on 15_arm64'],
    ['15_arm64/leaf', 'queued', 'leaf queued on 15_arm64'],
  ]);
  assert.equal(checks.awaitingCount, 0);
  await eta.close();
  db.close();
});
