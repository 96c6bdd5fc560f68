import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { pino } from 'pino';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { createOnWorkflowRun } from '../../controller/flows/on-workflow-run.ts';
import type { BuildResult } from '../../controller/model/build-kind.ts';
import { CANCELLED_BY_OTHERS, MAX_CANCEL_RETRIES, ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { SMALL_GRAPH } from './queue-helpers.ts';

const signal = new AbortController().signal;
const at = (minute: number): Date => new Date(Date.UTC(2026, 7, 1, 12, minute));
const REV1 = 'aaaaaaa1';
const PLATFORMS = ['15_arm64'];

function open(db: DatabaseSync, gateway: FakeRunGateway): ReorderService {
  return new ReorderService({ db, platforms: PLATFORMS, gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
}

/** A builder of curl dispatched (its watcher done); returns its build id. */
async function curlDispatched(service: ReorderService, gateway: FakeRunGateway): Promise<string> {
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: REV1, changedPorts: ['curl'], force: false, prNumber: null, now: at(0) });
  await service.pump(at(1), signal);
  service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: REV1, ports: ['curl'], excluded: [] }, at(2));
  gateway.advance('tst-1', 'completed', 'success');
  service.runFinished('tst-1', 'success', at(2));
  service.recorded('tst-1');
  await service.pump(at(3), signal);
  const builder = service.inFlight()[0];
  assert.equal(builder?.port, 'curl');
  return builder.buildId;
}

function curlRows(db: DatabaseSync): string[] {
  return db.prepare(`select build_id, state, result from queue_entry where port = 'curl' order by rowid`).all().map((r) => [r.build_id, r.state, r.result ?? '-'].map(String).join(' '));
}

/** Cancels curl's run from outside (a person, a manual run in the concurrency group) until the build fails; `restart` opens a new service after each. */
async function cancelUntilFailed(restart: boolean): Promise<{ db: DatabaseSync; service: ReorderService; last: string }> {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  let service = open(db, gateway);
  let id = await curlDispatched(service, gateway);
  for (let cancel = 1; cancel <= MAX_CANCEL_RETRIES; cancel += 1) {
    gateway.advance(id, 'completed', 'cancelled');
    assert.equal(service.runFinished(id, 'cancelled', at(3 + cancel)), true);
    assert.deepEqual(service.finishedAs(id), { result: 'cancelled', phase: null }, 'the cancelled run is recorded as it ended');
    service.recorded(id);
    if (restart) service = open(db, gateway);
    const report = await service.pump(at(3 + cancel), signal);
    const again = report.dispatched[0];
    assert.ok(again !== undefined && again !== id, `cancel ${String(cancel)} queues curl again under a new id: ${curlRows(db).join(' | ')}`);
    id = again;
  }
  gateway.advance(id, 'completed', 'cancelled');
  assert.equal(service.runFinished(id, 'cancelled', at(10)), true);
  return { db, service, last: id };
}

test(`a run cancelled by someone else queues its build again, at most ${String(MAX_CANCEL_RETRIES)} times; then the build fails as ${CANCELLED_BY_OTHERS}`, async () => {
  const { db, service, last } = await cancelUntilFailed(false);
  assert.deepEqual(service.finishedAs(last), { result: 'failure', phase: CANCELLED_BY_OTHERS });
  assert.deepEqual(service.unrecorded().map((n) => [n.buildId, n.result, n.phase]), [[last, 'failure', CANCELLED_BY_OTHERS]]);
  const rows = curlRows(db);
  assert.equal(rows.length, MAX_CANCEL_RETRIES + 1);
  assert.deepEqual(rows.slice(0, -1).map((r) => r.split(' ').slice(1).join(' ')), Array.from({ length: MAX_CANCEL_RETRIES }, () => 'finished cancelled'));
  assert.equal(rows.at(-1), `${last} finished failure`);
  assert.deepEqual((await service.pump(at(11), signal)).dispatched, [], 'nothing left to build');
  // Cancelled by others says nothing about curl itself: its dependents are not blocked by it.
  assert.deepEqual(db.prepare('select port from port_failure').all(), []);
});

test('the cancel count survives restarts (kept in the state database) and goes with its build', async () => {
  const { db, service, last } = await cancelUntilFailed(true);
  assert.deepEqual(service.finishedAs(last), { result: 'failure', phase: CANCELLED_BY_OTHERS });
  assert.equal(curlRows(db).length, MAX_CANCEL_RETRIES + 1);
  assert.deepEqual(db.prepare(`select key from meta where key like 'cancel-retries:%'`).all(), []);
});

test('the cancel the service asked for (a watcher preempting a builder) is not counted as someone else\'s', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  let id = await curlDispatched(service, gateway);
  // Preempted MAX_CANCEL_RETRIES + 1 times: each time queued again, never failed.
  for (let n = 0; n <= MAX_CANCEL_RETRIES; n += 1) {
    service.enqueueWatcher({ platform: '15_arm64', portsRevision: `ccccccc${String(n)}`, changedPorts: ['zlib'], force: false, prNumber: null, now: at(4) });
    const report = await service.pump(at(4), signal);
    const requeued = report.preempted[0]?.requeuedAs;
    assert.ok(requeued !== undefined, `preemption ${String(n)}`);
    const watcherId = report.dispatched[0] ?? '';
    gateway.advance(watcherId, 'completed', 'success');
    service.runFinished(watcherId, 'success', at(5));
    await service.pump(at(7), signal);
    const current = service.inFlight().find((e) => e.port === 'curl');
    assert.ok(current !== undefined, `curl is dispatched again after preemption ${String(n)}`);
    id = current.buildId;
  }
  assert.equal(curlRows(db).filter((r) => r.endsWith('failure')).length, 0);
  assert.deepEqual(db.prepare(`select key from meta where key like 'cancel-retries:%'`).all(), []);
  gateway.advance(id, 'completed', 'success');
  service.runFinished(id, 'success', at(8));
});

test('reconcile finds a run someone else cancelled while nobody listened: the build is queued again, and the report says how to record it', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  const id = await curlDispatched(service, gateway);
  gateway.advance(id, 'completed', 'cancelled');
  const report = await open(db, gateway).reconcile(at(5), signal);
  assert.deepEqual(report.finished.map((f) => [f.buildId, f.result, f.phase]), [[id, 'cancelled', null]]);
  assert.equal(curlRows(db).filter((r) => r.includes(' pending ')).length, 1, curlRows(db).join(' | '));
});

test('a run cancelled by the farm because its runner was lost is lost work, not someone else\'s cancel', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  const id = await curlDispatched(service, gateway);
  service.runFinished(id, 'cancelled', at(5), { runnerLost: true });
  assert.deepEqual(db.prepare(`select key from meta where key like 'cancel-retries:%' or key like 'lost-retries:%' order by key`).all().map((r) => String(r.key).split(':')[0]), ['lost-retries']);
});

test('the run-changed flow records a build cancelled by others too often as failed, with the phase that says why', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const reorder = open(db, gateway);
  let id = await curlDispatched(reorder, gateway);
  const finished: [string, BuildResult, string | null][] = [];
  const onWorkflowRun = createOnWorkflowRun({
    reorder,
    notes: new BuildNotes(),
    explainFailedRun: () => Promise.reject(new Error('a cancelled run is not explained')),
    onFinished: (buildId, result, _event, phase) => {
      finished.push([buildId, result, phase]);
      reorder.recorded(buildId);
      return Promise.resolve();
    },
    kick: () => undefined,
    log: pino({ level: 'silent' }),
  });
  const ids: string[] = [];
  for (let cancel = 0; cancel <= MAX_CANCEL_RETRIES; cancel += 1) {
    ids.push(id);
    gateway.advance(id, 'completed', 'cancelled');
    await onWorkflowRun({ deliveryId: `d-${String(cancel)}`, buildId: id, title: `[${id}] builder curl`, headSha: REV1, runId: 1, action: 'completed', status: 'completed', conclusion: 'cancelled', at: at(6), identity: { runId: 1, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', path: '.github/workflows/ports.yml', event: 'workflow_dispatch', headBranch: 'master', headSha: REV1, triggeringActor: 'portfarm[bot]', actor: 'portfarm[bot]' } }, signal);
    await reorder.pump(at(6), signal);
    id = reorder.inFlight()[0]?.buildId ?? '';
  }
  assert.deepEqual(finished, ids.map((b, n) => (n < MAX_CANCEL_RETRIES ? [b, 'cancelled', null] : [b, 'failure', CANCELLED_BY_OTHERS])));
});

test('a preempting cancel that lands only after the run was taken, and ends it as cancelled, is still the service\'s own: curl goes back to the head, uncounted', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  const id = await curlDispatched(service, gateway);
  // A runner took the job, but no in_progress reached the service yet: it still looks preemptable.
  gateway.advance(id, 'in_progress');
  service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'ccccccc1', changedPorts: ['zlib'], force: false, prNumber: null, now: at(4) });
  const report = await service.pump(at(4), signal);
  assert.deepEqual(report.preempted, [], 'the cancel answered with a run still going: nothing requeued yet');
  assert.ok(gateway.calls.includes(`cancel ${String(gateway.runs.find((r) => r.request.buildId === id)?.runId ?? 0)}`));
  // The cancel takes effect after all.
  gateway.advance(id, 'completed', 'cancelled');
  assert.equal(service.runFinished(id, 'cancelled', at(5)), true);
  assert.deepEqual(db.prepare(`select key from meta where key like 'cancel-retries:%'`).all(), [], 'not counted as someone else\'s cancel');
  const rows = curlRows(db);
  assert.equal(rows.length, 2, rows.join(' | '));
  assert.equal(rows[0], `${id} finished cancelled`);
  assert.match(rows[1] ?? '', / pending -$/);
  assert.deepEqual(service.finishedAs(id), { result: 'cancelled', phase: null });
});

test('reconcile finds the last cancel by someone else: the report records the build as failed, with the phase that says why', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  let id = await curlDispatched(service, gateway);
  for (let cancel = 1; cancel <= MAX_CANCEL_RETRIES; cancel += 1) {
    gateway.advance(id, 'completed', 'cancelled');
    service.runFinished(id, 'cancelled', at(3 + cancel));
    service.recorded(id);
    id = (await service.pump(at(3 + cancel), signal)).dispatched[0] ?? '';
  }
  gateway.advance(id, 'completed', 'cancelled');
  const report = await service.reconcile(at(10), signal);
  assert.deepEqual(report.finished.map((f) => [f.buildId, f.result, f.phase]), [[id, 'failure', CANCELLED_BY_OTHERS]]);
});

test('reconcile finds a builder\'s run failed in a step: it is finished as failed, not redone as lost work', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  const id = await curlDispatched(service, gateway);
  gateway.advance(id, 'completed', 'failure');
  const report = await service.reconcile(at(5), signal);
  assert.deepEqual(report.finished.map((f) => [f.buildId, f.result]), [[id, 'failure']]);
  assert.deepEqual(curlRows(db), [`${id} finished failure`]);
});

test('reconcile does not finish twice a build a webhook finished while GitHub was being asked', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  const id = await curlDispatched(service, gateway);
  gateway.advance(id, 'completed', 'success');
  const list = gateway.listRuns.bind(gateway);
  gateway.listRuns = async (since, s) => {
    const runs = await list(since, s);
    // The completed webhook is handled while the listing is on its way back.
    assert.equal(service.runFinished(id, 'success', at(5)), true);
    return runs;
  };
  const report = await service.reconcile(at(5), signal);
  assert.deepEqual(report.finished, []);
  assert.deepEqual(curlRows(db), [`${id} finished success`]);
});

test('reconcile does not requeue a build whose run GitHub\'s listing does not show yet, once its run id is known', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const service = open(db, gateway);
  const id = await curlDispatched(service, gateway);
  // Listed runs lag behind: the run the dispatch answered with is not in the list yet.
  gateway.listRuns = () => Promise.resolve([]);
  const report = await service.reconcile(at(5), signal);
  assert.deepEqual(report.requeued, []);
  assert.deepEqual(curlRows(db), [`${id} dispatched -`]);
});
