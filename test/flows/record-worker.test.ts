import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createCatchUpSweep } from '../../controller/flows/catch-up-sweep.ts';
import type { BuildFinished } from '../../controller/flows/on-build-finished.ts';
import { RecordWorker } from '../../controller/flows/record-worker.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { createSchedulingRound } from '../../controller/serve/scheduling-round.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

const log = pino({ level: 'silent' });
const at = new Date(Date.UTC(2026, 7, 1));
const REV = 'abcdef0';

/** A watcher that ran and listed `zlib`, its run completed on GitHub; no webhook said so (the sweep finds it). */
async function watcherDoneOnGitHub(): Promise<{ reorder: ReorderService; gateway: FakeRunGateway; watcher: string }> {
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db: openStore(':memory:'), platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'rw' });
  const { buildId } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: REV, previousRevision: null, changedPorts: ['zlib'], force: false, prNumber: null, now: at });
  await reorder.pump(at, new AbortController().signal);
  reorder.runStarted(buildId, at);
  reorder.acceptPortList({ buildId, platform: '15_arm64', portsRevision: REV, ports: ['zlib'], excluded: [] }, at);
  gateway.advance(buildId, 'completed', 'success');
  return { reorder, gateway, watcher: buildId };
}

test('a log download that hangs does not hold the scheduling round: the next build is dispatched while the finished one is still being recorded', async () => {
  const { reorder, gateway, watcher } = await watcherDoneOnGitHub();
  const stop = new AbortController();
  let release: () => void = () => undefined;
  const download = new Promise<void>((resolve) => { release = resolve; });
  const ledger: string[] = [];
  // The build-finished flow, its log download slow: the ledger line goes down only after the log was kept.
  const recordBuild: BuildFinished = async (buildId) => {
    await download;
    ledger.push(buildId);
    reorder.recorded(buildId);
  };
  const recording = new RecordWorker({ record: recordBuild, log, signal: stop.signal });
  const catchUp = createCatchUpSweep({
    reorder, runners: { leases: () => [], handleWorkflowJob: () => 'ignored', runRecorded: () => [] },
    github: { recoverMissedDeliveries: () => Promise.resolve({ redelivered: [], listed: 0 }), listUnfinishedRuns: () => Promise.resolve([]), listQueuedJobs: () => Promise.resolve([]) },
    ledgerHasBuild: () => Promise.resolve(false), onStarted: () => undefined, onFinished: recording.record, onLedgered: () => Promise.resolve(), retryCancels: () => Promise.resolve(), log, now: () => at,
  });
  const round = createSchedulingRound({
    reorder, runners: { warmStart: () => false, runRecorded: () => [] }, checks: { kick: () => undefined }, githubPausedFor: () => 0, stats: emptyStats(), ready: Promise.resolve(),
    sweep: catchUp.sweep, sweepIntervalMs: 1, reconcileAndRecord: catchUp.reconcileAndRecord, paused: false, warmStart: false, publish: () => undefined, log, now: () => at,
  });
  await sleep(5);
  try {
    const outcome = await Promise.race([round(stop.signal).then(() => 'round done'), sleep(10_000).then(() => 'round still waiting after 10 s')]);
    assert.equal(outcome, 'round done');
    // The sweep found the watcher finished; its recording waits on the download, and zlib went out all the same.
    assert.equal(reorder.describeBuild(watcher)?.state, 'finished');
    assert.deepEqual(gateway.runs.map((r) => r.request.port), [null, 'zlib']);
    assert.deepEqual([recording.pending, ledger], [1, []]);
    assert.deepEqual(reorder.unrecorded().map((n) => n.buildId), [watcher], 'until it is recorded, the finish note keeps it');
    release();
    await recording.idle();
    assert.deepEqual(ledger, [watcher]);
    assert.deepEqual(reorder.unrecorded(), []);
  } finally {
    release();
    stop.abort();
    await recording.stopped;
  }
});

test('a build handed over twice (webhook and reconcile) is recorded once; a recording that keeps failing leaves its finish note for the next start', async () => {
  const { reorder, watcher } = await watcherDoneOnGitHub();
  reorder.runFinished(watcher, 'success', at);
  const stop = new AbortController();
  const tries: string[] = [];
  let failing = true;
  const recording = new RecordWorker({
    record: (buildId) => {
      tries.push(buildId);
      if (failing) return Promise.reject(new Error('ENOSPC: no space left on device, write ledger.ndjson'));
      reorder.recorded(buildId);
      return Promise.resolve();
    },
    log, signal: stop.signal, attempts: 2, retryMs: 1,
  });
  try {
    const event = { runId: 1000, at };
    await recording.record(watcher, 'success', event);
    await recording.record(watcher, 'success', event);
    await recording.idle();
    assert.deepEqual(tries, [watcher, watcher], 'tried twice (attempts: 2), not four times');
    assert.deepEqual(reorder.unrecorded().map((n) => n.buildId), [watcher], 'the note stays: recordUnrecorded takes it at the next start');
    failing = false;
    await recording.record(watcher, 'success', event);
    await recording.idle();
    assert.deepEqual(reorder.unrecorded(), []);
  } finally {
    stop.abort();
    await recording.stopped;
  }
});
