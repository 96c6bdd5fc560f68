import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DatabaseSync } from 'node:sqlite';
import { UserError } from '../../controller/errors/user-error.ts';
import { MAX_LOST_RETRIES, ReorderService } from '../../controller/queue/reorder-service.ts';
import { queueSchema } from '../../controller/status/status-snapshot.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { SMALL_GRAPH } from './queue-helpers.ts';

const signal = new AbortController().signal;
const at = (minute: number): Date => new Date(Date.UTC(2026, 7, 1, 12, minute));
const REV1 = 'aaaaaaa1';
const REV2 = 'bbbbbbb2';

function setup(): { db: DatabaseSync; gateway: FakeRunGateway; service: ReorderService } {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
  return { db, gateway, service };
}

function rows(db: DatabaseSync): string[] {
  return db
    .prepare('select build_id, kind, port, ports_revision, state, run_id, result, head from queue_entry order by rowid')
    .all()
    .map((r) => [r.build_id, r.kind, r.port ?? '-', r.ports_revision, r.state, r.run_id ?? '-', r.result ?? '-', r.head].map(String).join(' '));
}

function watcher(platform = '15_arm64', portsRevision = REV1, changedPorts: string[] | null = null): Parameters<ReorderService['enqueueWatcher']>[0] {
  return { platform, portsRevision, changedPorts, force: false, prNumber: null, now: at(0) };
}

test('a watcher is dispatched, its port list becomes builders, which run one at a time in dependency order', async () => {
  const { db, gateway, service } = setup();
  assert.deepEqual(service.enqueueWatcher(watcher()), { buildId: 'tst-1', coalesced: false, portsRevision: REV1 });
  assert.deepEqual(await service.pump(at(1), signal), { dispatched: ['tst-1'], preempted: [], deferred: [], errors: [] });
  assert.deepEqual(gateway.runs[0]?.request, {
    buildId: 'tst-1', platform: '15_arm64', kind: 'watcher', port: null, portsRevision: REV1, force: false, portlist: null, prNumber: null, lane: 0,
  });
  assert.equal(service.runStarted('tst-1', at(2)), true);
  assert.deepEqual(service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['git', 'curl'], excluded: [] }, at(3)), {
    added: ['tst-2', 'tst-3'],
    coalesced: [],
  });
  assert.deepEqual(service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['git', 'curl'], excluded: [] }, at(3)), {
    added: [],
    coalesced: [],
  }, 'a resent list adds nothing');
  service.runFinished('tst-1', 'success', at(4));
  assert.deepEqual(service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['git', 'curl'], excluded: [] }, at(4)), {
    added: [],
    coalesced: [],
  }, 'a list resent after its watcher finished adds nothing, and is not refused');
  assert.deepEqual((await service.pump(at(5), signal)).dispatched, ['tst-3']);
  assert.deepEqual((await service.pump(at(5), signal)).dispatched, [], 'one run in flight per platform');
  service.runStarted('tst-3', at(6));
  service.runFinished('tst-3', 'failure', at(7));
  assert.deepEqual((await service.pump(at(8), signal)).dispatched, [], 'git depends on curl, which failed: git is blocked, not doomed');
  assert.deepEqual(rows(db), [
    `tst-1 watcher - ${REV1} finished 1000 success 0`,
    `tst-2 builder git ${REV1} pending - - 0`,
    `tst-3 builder curl ${REV1} finished 1001 failure 0`,
  ]);
});

test('a watcher preempts a dispatched builder: the run is cancelled, the build requeued at the head under a new id', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  service.runStarted('tst-1', at(1));
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['leaf', 'zlib'], excluded: [] }, at(2));
  service.runFinished('tst-1', 'success', at(2));
  await service.pump(at(3), signal); // zlib dispatched, not started
  service.enqueueWatcher(watcher('15_arm64', REV2));
  assert.deepEqual(await service.pump(at(4), signal), { dispatched: ['tst-4'], preempted: [{ buildId: 'tst-3', requeuedAs: 'tst-5' }], deferred: [], errors: [] });
  assert.deepEqual(gateway.calls.slice(-2), ['cancel 1001', 'dispatch tst-4']);
  // The cancelled run's webhook arrives afterwards: nothing changes, but its run is noted to be
  // recorded as cancelled (the ledger has a line for every run that completed), once.
  assert.equal(service.runFinished('tst-3', 'cancelled', at(4)), false);
  assert.deepEqual(service.finishedAs('tst-3'), { result: 'cancelled', phase: null });
  assert.deepEqual(service.unrecorded().map((n) => [n.buildId, n.result, n.runId]), [['tst-1', 'success', 1000], ['tst-3', 'cancelled', 1001]]);
  assert.deepEqual(
    service.queueStatus(at(5))[0]?.next.map((e) => `${e.buildId} ${e.port ?? '-'}`),
    ['tst-5 zlib', 'tst-2 leaf'],
  );
  assert.deepEqual(rows(db), [
    `tst-1 watcher - ${REV1} finished 1000 success 0`,
    `tst-2 builder leaf ${REV1} pending - - 0`,
    `tst-3 builder zlib ${REV1} finished 1001 cancelled 0`,
    `tst-4 watcher - ${REV2} dispatched 1002 - 0`,
    `tst-5 builder zlib ${REV1} pending - - 1`,
  ]);
});

test('a cancel GitHub fails to take is reported, and the builder is neither requeued nor followed by a dispatch on its platform', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  gateway.cancel = (runId) => {
    gateway.calls.push(`cancel ${String(runId)}`);
    return Promise.reject(new Error('HTTP 502'));
  };
  const service = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  service.runStarted('tst-1', at(1));
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['leaf', 'zlib'], excluded: [] }, at(2));
  service.runFinished('tst-1', 'success', at(2));
  await service.pump(at(3), signal);
  service.enqueueWatcher(watcher('15_arm64', REV2));
  const report = await service.pump(at(4), signal);
  assert.deepEqual(report.dispatched, []);
  assert.deepEqual(report.preempted, []);
  assert.deepEqual(report.errors.map((e) => [e.buildId, e.error.message, (e.error.cause as Error).message]), [['tst-3', 'cancelling run 1001 of tst-3 failed', 'HTTP 502']]);
});

test('reconcile with nothing in flight asks GitHub nothing', async () => {
  const { gateway, service } = setup();
  assert.deepEqual(await service.reconcile(at(1), signal), { adopted: [], requeued: [], started: [], finished: [] });
  assert.deepEqual(gateway.calls, [], 'no run listing spent from the API budget');
});

test('reconcile lists GitHub\'s runs from an hour before the oldest dispatch in flight, so it cannot miss that run', async () => {
  const { gateway, service } = setup();
  const asked: Date[] = [];
  const list = gateway.listRuns.bind(gateway);
  gateway.listRuns = (since, s) => {
    asked.push(since);
    return list(since, s);
  };
  service.enqueueWatcher(watcher('15_arm64'));
  await service.pump(at(5), signal);
  service.enqueueWatcher(watcher('14_x86_64'));
  await service.pump(at(20), signal);
  await service.reconcile(at(30), signal);
  assert.deepEqual(asked, [new Date(at(5).getTime() - 60 * 60 * 1000)]);
});

test('a pass asked to stop dispatches nothing', async () => {
  const { gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await assert.rejects(service.pump(at(1), AbortSignal.abort()), { name: 'AbortError' });
  assert.deepEqual(gateway.calls, []);
});

test('bad input is refused with the bad value and the fix, and the database is unchanged', () => {
  const { db, service } = setup();
  service.enqueueWatcher(watcher());
  const before = rows(db);
  assert.throws(
    () => service.enqueueWatcher(watcher('10.15')),
    (e: unknown) => e instanceof UserError && e.message === 'platform "10.15" is not configured; known: 15_arm64, 14_x86_64 (see portfarm.config.yaml)',
  );
  assert.throws(
    () => service.enqueueWatcher(watcher('15_arm64', REV2, ['devel/git'])),
    (e: unknown) => e instanceof UserError && e.message === `watcher request refused, queue unchanged: changedPorts.0 port name "devel/git" contains "/"; give the port's name (e.g. curl), not its path`,
  );
  assert.throws(
    () => service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['../x'], excluded: [] }, at(1)),
    (e: unknown) => e instanceof UserError && e.message === 'port list refused, queue unchanged: ports.0 port name "../x" contains "/"; give the port\'s name (e.g. curl), not its path',
  );
  assert.throws(
    () => service.acceptPortList({ buildId: 'nope-9', platform: '15_arm64', portsRevision: REV1, ports: ['git'], excluded: [] }, at(1)),
    (e: unknown) => e instanceof UserError && e.message === 'port list for build nope-9 on 15_arm64: no watcher with that id is in flight there; the list is ignored',
  );
  assert.deepEqual(rows(db), before);
});

test('a dispatch whose answer was lost is adopted by reconcile, never dispatched twice', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  gateway.failNextDispatch = 'after';
  const report = await service.pump(at(1), signal);
  assert.deepEqual(report.errors.map((e) => e.error.message), ['dispatching tst-1 failed']);
  assert.deepEqual((await service.pump(at(2), signal)).dispatched, [], 'the recorded intent blocks the platform until reconciled');
  gateway.advance('tst-1', 'in_progress');
  assert.deepEqual(await service.reconcile(at(3), signal), { adopted: ['tst-1'], requeued: [], started: ['tst-1'], finished: [] });
  assert.deepEqual(gateway.calls, ['dispatch tst-1', 'listRuns']);
  assert.deepEqual(rows(db), [`tst-1 watcher - ${REV1} started 1000 - 0`]);
});

test('a dispatch that never reached GitHub is queued again under a new id by reconcile', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  gateway.failNextDispatch = 'before';
  await service.pump(at(1), signal);
  assert.deepEqual(await service.reconcile(at(2), signal), { adopted: [], requeued: [{ buildId: 'tst-1', requeuedAs: 'tst-2' }], started: [], finished: [] });
  assert.deepEqual((await service.pump(at(3), signal)).dispatched, ['tst-2']);
  assert.deepEqual(rows(db), [`tst-1 watcher - ${REV1} finished - cancelled 0`, `tst-2 watcher - ${REV1} dispatched 1000 - 1`]);
});

test('a restarted service picks up the queue where the database left it; status matches queueSchema', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher('14_x86_64'));
  service.enqueueWatcher({ ...watcher('15_arm64', REV2, ['leaf']), prNumber: 12 });
  await service.pump(at(1), signal);
  const again = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway, graph: SMALL_GRAPH });
  const status = again.queueStatus(at(2));
  for (const queue of status) queueSchema.parse(queue);
  assert.deepEqual(status, [
    {
      platform: '15_arm64',
      running: { buildId: 'tst-2', kind: 'pr-watcher', port: null, portsRevision: REV2, state: 'dispatched', enqueuedAt: at(0).toISOString() },
      pending: { watchers: 0, builders: 0, pr: 0, estimatedFromWatchers: 0 },
      next: [],
      oldestWaitSeconds: null,
      lanes: 1,
      inFlight: 1,
      blocked: { total: 0, byPort: [] },
      waiting: [],
    },
    {
      platform: '14_x86_64',
      running: { buildId: 'tst-1', kind: 'watcher', port: null, portsRevision: REV1, state: 'dispatched', enqueuedAt: at(0).toISOString() },
      pending: { watchers: 0, builders: 0, pr: 0, estimatedFromWatchers: 0 },
      next: [],
      oldestWaitSeconds: null,
      lanes: 1,
      inFlight: 1,
      blocked: { total: 0, byPort: [] },
      waiting: [],
    },
  ]);
  assert.deepEqual(again.enqueueWatcher(watcher('14_x86_64', REV2)), { buildId: 'tst-3', coalesced: false, portsRevision: REV2 }, 'ids continue, never reused');
});

test('a cancel that lands after a runner took the builder does not queue the port again: it is built once', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  service.runStarted('tst-1', at(1));
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['zlib'], excluded: [] }, at(2));
  service.runFinished('tst-1', 'success', at(2));
  await service.pump(at(3), signal); // zlib dispatched
  // A runner takes the job on GitHub before the controller hears of it (the webhook is late).
  const zlibRun = gateway.runs.find((r) => r.request.port === 'zlib');
  assert.ok(zlibRun !== undefined);
  zlibRun.status = 'in_progress';
  service.enqueueWatcher(watcher('15_arm64', REV2));
  // The cancel came too late (the run goes on): nothing is requeued and the watcher waits
  // for the running builder, which is never cancelled.
  assert.deepEqual(await service.pump(at(4), signal), { dispatched: [], preempted: [], deferred: [], errors: [] });
  assert.deepEqual(gateway.calls.slice(-1), ['cancel 1001']);
  // The builder's own events settle it; then the watcher goes; no second zlib build was queued.
  assert.equal(service.runStarted('tst-2', at(4)), true);
  assert.equal(service.runFinished('tst-2', 'success', at(5)), true);
  assert.deepEqual(await service.pump(at(6), signal), { dispatched: ['tst-3'], preempted: [], deferred: [], errors: [] });
  assert.deepEqual(rows(db).filter((r) => r.includes(' zlib ')), [`tst-2 builder zlib ${REV1} finished 1001 success 0`]);
});

test('a run that completed while nobody listened is reported by reconcile with its result, so the controller records it', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  gateway.advance('tst-1', 'completed', 'failure');
  assert.deepEqual(await service.reconcile(at(2), signal), { adopted: [], requeued: [], started: [], finished: [{ buildId: 'tst-1', runId: 1000, result: 'failure', phase: null }] });
  // The late webhook changes nothing more: the build is recorded once, from the report.
  assert.equal(service.runFinished('tst-1', 'failure', at(3)), false);
  // The watcher failed before its list arrived: its commit's ports are still to be listed, so it is queued again.
  assert.deepEqual(rows(db), [`tst-1 watcher - ${REV1} finished 1000 failure 0`, `tst-2 watcher - ${REV1} pending - - 0`]);
});

/** A watcher whose every run fails before its list arrives, with a controller restart after each failure or not. */
async function failWatcherUntilGivenUp(restartEachTime: boolean): Promise<DatabaseSync> {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  let current = service;
  for (let attempt = 1; attempt <= MAX_LOST_RETRIES + 1; attempt += 1) {
    const id = `tst-${attempt}`;
    await current.pump(at(attempt), signal);
    gateway.advance(id, 'completed', 'failure');
    assert.equal(current.runFinished(id, 'failure', at(attempt)), true);
    if (restartEachTime) current = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
  }
  // MAX_LOST_RETRIES requeues, then the failure stands (a watcher that never hands over is broken, not unlucky).
  assert.equal(rows(db).filter((r) => r.includes(' pending ')).length, 0);
  assert.equal(rows(db).length, MAX_LOST_RETRIES + 1);
  return db;
}

test('a watcher whose run failed before its list arrived is queued again, at most MAX_LOST_RETRIES times', async () => {
  const db = await failWatcherUntilGivenUp(false);
  // Its list arriving late is refused, not taken as a resend: it was never accepted.
  const service = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway: new FakeRunGateway(), graph: SMALL_GRAPH, idPrefix: 'tst' });
  assert.throws(
    () => service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['git'], excluded: [] }, at(9)),
    (e: unknown) => e instanceof UserError && e.message.startsWith('port list for build tst-1 on 15_arm64: no watcher with that id is in flight there'),
  );
});

test('the lost-work limit survives a restart: a controller started again does not count from zero', async () => {
  const db = await failWatcherUntilGivenUp(true);
  assert.deepEqual(db.prepare(`select key from meta where key like 'lost-retries:%'`).all(), [], 'the counts go with their builds');
});

test('a builder whose runner was lost is queued again under a new id; a builder that failed in a step is not', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['curl', 'wget'], excluded: [] }, at(2));
  gateway.advance('tst-1', 'completed', 'success');
  service.runFinished('tst-1', 'success', at(3));
  await service.pump(at(4), signal);
  const first = service.inFlight()[0];
  assert.ok(first !== undefined);
  const port = first.port ?? '';
  assert.notEqual(port, '');
  assert.equal(service.runFinished(first.buildId, 'failure', at(5), { runnerLost: true }), true);
  const again = rows(db).find((r) => r.includes(` ${port} `) && r.includes(' pending '));
  assert.ok(again !== undefined, `the lost build of ${port} is queued again: ${rows(db).join(' | ')}`);
  await service.pump(at(6), signal);
  const second = service.inFlight()[0];
  assert.ok(second !== undefined);
  assert.equal(second.port, first.port);
  assert.equal(service.runFinished(second.buildId, 'failure', at(7)), true);
  assert.equal(rows(db).filter((r) => r.includes(` ${port} `) && r.includes(' pending ')).length, 0);
});

test('a pull request\'s watcher whose run failed before its list arrived is queued again too', async () => {
  const { db, gateway, service } = setup();
  const { buildId } = service.enqueueWatcher({ ...watcher('15_arm64', REV1, ['leaf']), prNumber: 12 });
  await service.pump(at(1), signal);
  gateway.advance(buildId, 'completed', 'failure');
  assert.equal(service.runFinished(buildId, 'failure', at(2)), true);
  const pending = rows(db).filter((r) => r.includes(' pr-watcher ') && r.includes(' pending '));
  assert.equal(pending.length, 1, rows(db).join(' | '));
});

test('a build that succeeded is built once even when its runner is noted lost before the run\'s completion arrives', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['curl'], excluded: [] }, at(2));
  gateway.advance('tst-1', 'completed', 'success');
  service.runFinished('tst-1', 'success', at(3));
  await service.pump(at(4), signal);
  const curl = service.inFlight()[0];
  assert.equal(curl?.port, 'curl');
  // The VM died after the job ended well: the port is built, nothing to redo.
  assert.equal(service.runFinished(curl.buildId, 'success', at(5), { runnerLost: true }), true);
  assert.deepEqual(rows(db).filter((r) => r.includes(' curl ')), [`${curl.buildId} builder curl ${REV1} finished 1001 success 0`]);
  assert.deepEqual(service.finishedAs(curl.buildId), { result: 'success', phase: null });
});

test('the build id prefix "pr" is refused: pr-… ids are ports-pr.yml jobs, which get the PR slot share', () => {
  const db = openStore(':memory:');
  assert.throws(() => new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: null, idPrefix: 'pr' }), /build id prefix "pr" is reserved for pull-request builds/);
  db.close();
});

test('a finish is committed with a note to record it; the note outlives a crash until the ledger line is written', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  gateway.advance('tst-1', 'completed', 'success');
  assert.equal(service.runFinished('tst-1', 'success', at(2)), true);
  assert.equal(service.runFinished('tst-1', 'success', at(3)), false, 'a repeat notes nothing more');
  assert.equal(service.runStarted('tst-1', at(3)), false, 'a late in_progress for a finished build changes nothing');
  assert.equal(service.runStarted('nope-9', at(3)), false, 'nor one for a build this farm never queued');
  assert.equal(service.finishedAs('nope-9'), undefined);
  // A crash here (before the ledger append): a new service on the same database still knows.
  const again = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
  assert.deepEqual(again.unrecorded().map((n) => [n.buildId, n.result, n.runId]), [['tst-1', 'success', 1000]]);
  again.recorded('tst-1');
  assert.deepEqual(again.unrecorded(), []);
});

test('a push delivery worked on twice (a crash before it was marked done) queues one watcher', async () => {
  const { db, service } = setup();
  const first = service.enqueueWatcher({ ...watcher(), deliveryId: 'guid-1' });
  await service.pump(at(1), signal);
  const again = service.enqueueWatcher({ ...watcher(), deliveryId: 'guid-1' });
  // The redelivery is answered as joining the watcher it queued the first time.
  assert.deepEqual(again, { buildId: first.buildId, coalesced: true, portsRevision: REV1 });
  assert.equal(rows(db).length, 1);
  service.enqueueWatcher({ ...watcher(), deliveryId: 'guid-2' });
  assert.equal(rows(db).length, 2);
});

test('a redelivered push is answered with the revision its watcher lists at now, not the one it carried', () => {
  const { service } = setup();
  const first = service.enqueueWatcher({ ...watcher('15_arm64', REV1), deliveryId: 'guid-1' });
  // A newer push joins the pending watcher, which now lists at REV2.
  assert.deepEqual(service.enqueueWatcher({ ...watcher('15_arm64', REV2), deliveryId: 'guid-2' }), { buildId: first.buildId, coalesced: true, portsRevision: REV2 });
  assert.deepEqual(service.enqueueWatcher({ ...watcher('15_arm64', REV1), deliveryId: 'guid-1' }), { buildId: first.buildId, coalesced: true, portsRevision: REV2 });
});

test('a completed event for a build never dispatched finishes nothing, and leaves nothing to record', () => {
  const { db, service } = setup();
  const { buildId } = service.enqueueWatcher(watcher());
  service.runFinished(buildId, 'success', at(1));
  assert.deepEqual(service.unrecorded(), []);
  assert.equal(service.finishedAs(buildId), undefined);
  assert.deepEqual(rows(db), [`${buildId} watcher - ${REV1} pending - - 0`]);
});

test('a push redelivered after its watcher finished is answered from the database: no new watcher', async () => {
  const { db, service } = setup();
  const first = service.enqueueWatcher({ ...watcher('15_arm64', REV1), deliveryId: 'guid-1' });
  service.enqueueWatcher({ ...watcher('15_arm64', REV2), deliveryId: 'guid-2' });
  await service.pump(at(1), signal);
  service.runStarted(first.buildId, at(2));
  service.runFinished(first.buildId, 'success', at(3));
  assert.deepEqual(service.enqueueWatcher({ ...watcher('15_arm64', REV1), deliveryId: 'guid-1' }), { buildId: first.buildId, coalesced: true, portsRevision: REV2 });
  assert.equal(rows(db).length, 1);
});

test('one push delivery for two platforms queues a watcher on each; a redelivery queues neither again', async () => {
  const { db, service } = setup();
  const arm = service.enqueueWatcher({ ...watcher('15_arm64'), deliveryId: 'guid-1' });
  const intel = service.enqueueWatcher({ ...watcher('14_x86_64'), deliveryId: 'guid-1' });
  assert.notEqual(intel.buildId, arm.buildId);
  assert.equal(intel.coalesced, false);
  assert.deepEqual((await service.pump(at(1), signal)).dispatched.toSorted(), [arm.buildId, intel.buildId].toSorted());
  assert.equal(service.enqueueWatcher({ ...watcher('14_x86_64'), deliveryId: 'guid-1' }).buildId, intel.buildId);
  assert.equal(rows(db).length, 2);
});

test('a watcher whose list was accepted and whose run then failed is not queued again: its ports are listed and built once', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher());
  await service.pump(at(1), signal);
  service.runStarted('tst-1', at(1));
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['curl', 'leaf'], excluded: [] }, at(2));
  // A later step of the watcher (mirroring, say) failed after the hand-off.
  gateway.advance('tst-1', 'completed', 'failure');
  assert.equal(service.runFinished('tst-1', 'failure', at(3)), true);
  const built: string[] = [];
  for (let minute = 4; minute < 20; minute += 1) {
    const { dispatched } = await service.pump(at(minute), signal);
    const next = dispatched[0];
    if (next === undefined) break;
    const entry = service.inFlight()[0];
    built.push(`${entry?.kind ?? '?'}:${entry?.port ?? '-'}`);
    gateway.advance(next, 'completed', 'success');
    service.runFinished(next, 'success', at(minute));
  }
  assert.deepEqual(built, ['builder:curl', 'builder:leaf']);
  assert.equal(rows(db).filter((r) => r.includes(' watcher ')).length, 1, rows(db).join(' | '));
});

const REV0 = '0000aaa0';
const REV3 = 'ccccccc3';
const push = (portsRevision: string, previousRevision: string, changedPorts: string[], minute: number, deliveryId?: string): Parameters<ReorderService['enqueueWatcher']>[0] => ({
  ...watcher('15_arm64', portsRevision, changedPorts),
  previousRevision,
  now: at(minute),
  ...(deliveryId === undefined ? {} : { deliveryId }),
});

test('a push delivered after the newer push it precedes never sets a pending watcher back to its older revision', () => {
  const { db, service } = setup();
  // REV0 → REV1 → REV2 on master; the second push's webhook is delivered first.
  assert.deepEqual(service.enqueueWatcher(push(REV2, REV1, ['wget'], 0)), { buildId: 'tst-1', coalesced: false, portsRevision: REV2 });
  assert.deepEqual(service.enqueueWatcher(push(REV1, REV0, ['curl'], 1)), { buildId: 'tst-1', coalesced: true, portsRevision: REV2 });
  assert.deepEqual(rows(db), [`tst-1 watcher - ${REV2} pending - - 0`]);
  assert.equal(db.prepare('select changed_ports from queue_entry').get()?.changed_ports, JSON.stringify(['wget', 'curl']));
});

test('a late push whose newer push already has a running watcher gets a watcher at the newer revision', async () => {
  const { service, gateway } = setup();
  service.enqueueWatcher(push(REV2, REV1, ['wget'], 0));
  await service.pump(at(1), signal);
  assert.equal(service.runStarted('tst-1', at(2)), true);
  assert.deepEqual(service.enqueueWatcher(push(REV1, REV0, ['curl'], 3)), { buildId: 'tst-2', coalesced: false, portsRevision: REV2 });
  gateway.advance('tst-1', 'completed', 'success');
  service.runFinished('tst-1', 'success', at(4));
  await service.pump(at(5), signal);
  assert.equal(gateway.runs.find((r) => r.request.buildId === 'tst-2')?.request.portsRevision, REV2);
});

test('pushes in order and a chain with a gap: the newest revision wins once the gap is delivered', () => {
  const { service } = setup();
  assert.equal(service.enqueueWatcher(push(REV1, REV0, ['curl'], 0)).portsRevision, REV1);
  assert.equal(service.enqueueWatcher(push(REV3, REV2, ['zlib'], 1)).portsRevision, REV3);
  // REV1 → REV2 arrives last: it links the chain, and the pending watcher keeps REV3.
  assert.deepEqual(service.enqueueWatcher(push(REV2, REV1, ['wget'], 2)), { buildId: 'tst-1', coalesced: true, portsRevision: REV3 });
});

test('a force push back to an older commit makes a cycle: each push keeps its own revision', () => {
  const { service } = setup();
  assert.equal(service.enqueueWatcher(push(REV2, REV1, ['wget'], 0)).portsRevision, REV2);
  assert.equal(service.enqueueWatcher(push(REV1, REV2, ['wget'], 1)).portsRevision, REV1);
});

test('push links and delivery notes older than 14 days are pruned as new pushes come; a redelivery within them is still one watcher', () => {
  const { db, service } = setup();
  service.enqueueWatcher(push(REV1, REV0, ['curl'], 0, 'guid-old'));
  const count = (table: string): unknown => db.prepare(`select count(*) as n from ${table}`).get()?.n;
  assert.deepEqual([count('push_link'), count('delivery_note')], [1, 1]);
  assert.equal(service.enqueueWatcher(push(REV1, REV0, ['curl'], 1, 'guid-old')).buildId, 'tst-1');
  const later = new Date(at(0).getTime() + 15 * 86_400_000);
  service.enqueueWatcher({ ...push(REV2, REV1, ['wget'], 0, 'guid-new'), now: later });
  assert.deepEqual([count('push_link'), count('delivery_note')], [1, 1], 'the 15-day-old link and note are gone, the new ones kept');
  assert.deepEqual(db.prepare('select key from delivery_note').all().map((r) => r.key), ['guid-new:15_arm64']);
});

test('a watcher queued again after lost work lists its ports at the newest revision queued since, never at its older one', async () => {
  const { db, gateway, service } = setup();
  service.enqueueWatcher(watcher('15_arm64', REV1, ['curl']));
  await service.pump(at(1), signal);
  // A newer push arrives while the first watcher runs; then the first one fails before handing its list over.
  service.enqueueWatcher(watcher('15_arm64', REV2, ['wget']));
  gateway.advance('tst-1', 'completed', 'failure');
  assert.equal(service.runFinished('tst-1', 'failure', at(2)), true);
  // Listed at REV1, its curl builder would replace a pending curl of a newer revision.
  assert.deepEqual(rows(db).filter((r) => r.includes(' pending ')).map((r) => r.split(' ').slice(0, 4).join(' ')), [`tst-2 watcher - ${REV2}`, `tst-3 watcher - ${REV2}`]);
});
