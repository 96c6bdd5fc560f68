import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { createOnWorkflowJob } from '../../controller/flows/on-workflow-job.ts';
import type { WorkflowJobEvent } from '../../controller/github/farm-events.ts';
import { at, dispatchedBuilder } from './dispatched-builder.ts';

const signal = new AbortController().signal;

test('a job changed: the runner manager sees every event, in_progress starts the build, a failed step is noted for the record', async () => {
  const farm = await dispatchedBuilder();
  const notes = new BuildNotes();
  const handled: string[] = [];
  const started: string[] = [];
  let kicks = 0;
  const onWorkflowJob = createOnWorkflowJob({
    reorder: farm.reorder,
    runners: { handleWorkflowJob: (event) => { handled.push(event.action); return 'updated'; } },
    notes,
    onStarted: (buildId, when) => { started.push(`${buildId} ${when.toISOString()}`); },
    kick: () => { kicks += 1; },
  });
  const job = (action: WorkflowJobEvent['action'], failedStep: string | null = null): WorkflowJobEvent => ({
    deliveryId: `d-${action}`, buildId: farm.buildId, runId: farm.runId, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', workflowName: 'ports', headBranch: 'master', jobId: 5, action, labels: [`portfarm-build-${farm.buildId}`], runnerId: 1, runnerName: 'vm-1', conclusion: null, failedStep, at: at(10),
  });
  await onWorkflowJob(job('queued'), signal);
  assert.deepEqual([started, kicks], [[], 0], 'a queued job starts nothing yet');
  await onWorkflowJob(job('in_progress'), signal);
  assert.deepEqual(started, [`${farm.buildId} ${at(10).toISOString()}`]);
  assert.equal(kicks, 1);
  assert.equal(farm.reorder.describeBuild(farm.buildId)?.state, 'started');
  assert.equal(notes.hasFailedPhase(farm.buildId), false);
  await onWorkflowJob({ ...job('completed', 'install-port'), conclusion: 'failure' }, signal);
  assert.equal(kicks, 1, 'a completed job changes no run state (its run event does)');
  assert.deepEqual(handled, ['queued', 'in_progress', 'completed']);
  assert.deepEqual(notes.take(farm.buildId), { runnerLost: false, failedPhase: 'install-port' });
  assert.deepEqual(notes.take(farm.buildId), { runnerLost: false, failedPhase: null }, 'notes are taken once');
  farm.db.close();
});

test('a job the runner manager refused (not its build\'s recorded run) neither starts the build nor notes a failed phase', async () => {
  const farm = await dispatchedBuilder();
  const notes = new BuildNotes();
  let kicks = 0;
  const onWorkflowJob = createOnWorkflowJob({
    reorder: farm.reorder,
    runners: { handleWorkflowJob: () => 'rejected' },
    notes,
    onStarted: () => { assert.fail('a forged job started the build'); },
    kick: () => { kicks += 1; },
  });
  const forged = (action: WorkflowJobEvent['action']): WorkflowJobEvent => ({
    deliveryId: `f-${action}`, buildId: farm.buildId, runId: farm.runId + 1, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', workflowName: 'ports', headBranch: 'master', jobId: 99, action, labels: [`portfarm-build-${farm.buildId}`], runnerId: 1, runnerName: 'vm-9', conclusion: 'failure', failedStep: 'install-port', at: at(10),
  });
  await onWorkflowJob(forged('in_progress'), signal);
  await onWorkflowJob(forged('completed'), signal);
  assert.equal(kicks, 0);
  assert.notEqual(farm.reorder.describeBuild(farm.buildId)?.state, 'started');
  assert.equal(notes.hasFailedPhase(farm.buildId), false);
  farm.db.close();
});

test('a failed PR job (a build the queue does not know, never recorded) leaves no note behind', async () => {
  const farm = await dispatchedBuilder();
  const notes = new BuildNotes();
  const onWorkflowJob = createOnWorkflowJob({
    reorder: farm.reorder,
    runners: { handleWorkflowJob: () => 'updated' },
    notes,
    onStarted: () => undefined,
    kick: () => undefined,
  });
  const prBuild = 'pr-9001-1-0';
  await onWorkflowJob({
    deliveryId: 'd-pr', buildId: prBuild, runId: 9001, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', workflowName: 'ports (pull request)', headBranch: 'fix', jobId: 6, action: 'completed', labels: [`portfarm-build-${prBuild}`], runnerId: 2, runnerName: 'vm-2', conclusion: 'failure', failedStep: 'install-port', at: at(11),
  }, signal);
  assert.equal(notes.hasFailedPhase(prBuild), false);
  farm.db.close();
});

test('an in_progress delivered again (its delivery replayed at start: a crash fell between the queue marking the build started and its check or summary tally) moves the check again', async () => {
  const farm = await dispatchedBuilder();
  const started: string[] = [];
  const onWorkflowJob = createOnWorkflowJob({
    reorder: farm.reorder,
    runners: { handleWorkflowJob: () => 'updated' },
    notes: new BuildNotes(),
    onStarted: (buildId) => { started.push(buildId); },
    kick: () => undefined,
  });
  const inProgress: WorkflowJobEvent = {
    deliveryId: 'd-1', buildId: farm.buildId, runId: farm.runId, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', workflowName: 'ports', headBranch: 'master', jobId: 5, action: 'in_progress', labels: [`portfarm-build-${farm.buildId}`], runnerId: 1, runnerName: 'vm-1', conclusion: null, failedStep: null, at: at(10),
  };
  farm.reorder.runStarted(farm.buildId, at(10)); // the queue's start committed; the process died before the check moved
  await onWorkflowJob(inProgress, signal);
  assert.deepEqual(started, [farm.buildId], 'the replay moves the check (idempotent: a tally moves a port to started once)');
  assert.equal(farm.reorder.describeBuild(farm.buildId)?.startedAt, at(10).getTime(), 'and changes nothing in the queue');
  farm.db.close();
});
