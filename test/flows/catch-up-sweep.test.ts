import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCatchUpSweep, type CatchUpSweepOptions } from '../../controller/flows/catch-up-sweep.ts';
import type { WorkflowJobEvent } from '../../controller/model/workflow-job-event.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import type { ReconcileReport } from '../../controller/queue/reorder-service.ts';
import { captureLog } from '../github/capture-log.ts';

const signal = new AbortController().signal;
const at = new Date('2026-12-03T10:00:00Z');

const entry = (buildId: string, state: QueueEntry['state'], runId: number | null): Readonly<QueueEntry> => ({ buildId, state, runId }) as unknown as QueueEntry;
const queuedJob = (runId: number, jobId: number): WorkflowJobEvent => ({ action: 'queued', jobId, runId, runAttempt: 1, labels: [`portfarm-build-b${String(runId)}`], runnerId: null, runnerName: null, conclusion: null });

/**
 * A sweep over fakes that write every call into one journal: b1 is dispatched with a VM, b2
 * dispatched without one (its job is waiting), b3 started; run 900 is unfinished on GitHub
 * and unknown to the queue (a PR build); reconcile finds b3 finished, b5 started (its
 * in_progress webhook lost: its check or summary tally must say so) and adopts b4's run (its
 * dispatch answer was lost). `fail` names the steps that throw.
 */
function setup(fail: ReadonlySet<string> = new Set()) {
  const calls: string[] = [];
  const step = <T>(name: string, value: T): Promise<T> => {
    calls.push(name);
    return fail.has(name) ? Promise.reject(new Error(`${name}: HTTP 502`)) : Promise.resolve(value);
  };
  const { log, entries } = captureLog();
  const options: CatchUpSweepOptions = {
    reorder: {
      unrecorded: () => [{ buildId: 'b0', result: 'success', phase: null, runId: 100, at }, { buildId: 'b9', result: 'failure', phase: null, runId: 109, at }],
      reconcile: () => step('reconcile', { adopted: ['b4'], started: ['b5'], finished: [{ buildId: 'b3', result: 'success', runId: 103 }] } as unknown as ReconcileReport),
      inFlight: () => [entry('b1', 'dispatched', 101), entry('b2', 'dispatched', 102), entry('b3', 'started', 103)],
    },
    runners: {
      leases: () => [{ buildId: 'b1', phase: 'running', vmId: 'vm-1', attempt: 1 }],
      handleWorkflowJob: (job) => { calls.push(`job ${String(job.jobId)} of run ${String(job.runId)}`); return 'started'; },
      runRecorded: (buildId) => { calls.push(`held jobs of ${buildId} judged again`); return ['started']; },
    },
    github: {
      recoverMissedDeliveries: () => step('recover', { redelivered: ['g-1'], listed: 3 }),
      listUnfinishedRuns: () => step('unfinished runs', [102, 103, 900]),
      listQueuedJobs: (runId) => step(`queued jobs of run ${String(runId)}`, [queuedJob(runId, runId * 10)]),
    },
    ledgerHasBuild: (buildId) => Promise.resolve(buildId === 'b0'),
    onLedgered: (note) => { calls.push(`completed from its ledger line ${note.buildId}`); return Promise.resolve(); },
    retryCancels: () => { calls.push('cancels asked again'); return Promise.resolve(); },
    onStarted: (buildId) => { calls.push(`started ${buildId}`); },
    onFinished: (buildId, result, event) => { calls.push(`finished ${buildId} ${result} run ${String(event.runId)}`); return Promise.resolve(); },
    log,
    now: () => at,
  };
  return { sweep: createCatchUpSweep(options), calls, entries };
}

test('a sweep asks for missed deliveries, reconciles and records, then starts VMs for waiting jobs, in that order', async () => {
  const { sweep, calls } = setup();
  await sweep.sweep(signal);
  assert.deepEqual(calls, [
    'recover',
    'reconcile',
    'held jobs of b4 judged again',
    'started b5',
    'finished b3 success run 103',
    'cancels asked again',
    'unfinished runs',
    // b2's run (dispatched, no VM) and the unknown run 900; never b1's (it has a VM) nor b3's (the queue knows it).
    'queued jobs of run 102',
    'job 1020 of run 102',
    'queued jobs of run 900',
    'job 9000 of run 900',
  ]);
});

test('a failing step is logged and the sweep goes on: recovery, reconcile and the job search each fail alone', async () => {
  const { sweep, calls, entries } = setup(new Set(['recover', 'reconcile', 'unfinished runs']));
  await sweep.sweep(signal);
  assert.deepEqual(calls, ['recover', 'reconcile', 'cancels asked again', 'unfinished runs']);
  assert.deepEqual(entries.filter((e) => e.level === 'warn').map((e) => e.msg), [
    'missed-delivery recovery failed; state is reconciled from GitHub instead',
    'reconcile failed; the next sweep retries',
    'looking for jobs without a VM failed; the next sweep retries',
  ]);
});

test('a run whose jobs cannot be listed ends the job search, logged, never thrown: the next sweep retries', async () => {
  const { sweep, calls, entries } = setup(new Set(['queued jobs of run 102']));
  await sweep.resumeWaitingJobs(signal);
  assert.deepEqual(calls, ['unfinished runs', 'queued jobs of run 102']);
  assert.deepEqual(entries.map((e) => [e.level, e.msg]), [['warn', 'looking for jobs without a VM failed; the next sweep retries']]);
});

test('finishes a crash kept from the ledger are recorded once: a build already in the ledger is completed from its line, not recorded again', async () => {
  const { sweep, calls, entries } = setup();
  await sweep.recordUnrecorded();
  assert.deepEqual(calls, ['completed from its ledger line b0', 'finished b9 failure run 109']);
  assert.deepEqual(entries.map((e) => [e.level, e.buildId]), [['warn', 'b9']]);
});

test('a run reconcile adopts (its dispatch answer was lost) has the job event held for it judged at once, not at the next sweep', async () => {
  const { sweep, calls, entries } = setup();
  await sweep.reconcileAndRecord(signal);
  assert.deepEqual(calls, ['reconcile', 'held jobs of b4 judged again', 'started b5', 'finished b3 success run 103']);
  assert.deepEqual(entries.filter((e) => e.buildId === 'b4').map((e) => e.msg), ['job held while its run was unrecorded; starting its VM now reconcile found the run']);
});
