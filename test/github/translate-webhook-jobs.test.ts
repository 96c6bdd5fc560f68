import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFarmCalls, phaseOfStep, translateWebhook, type FarmCall, type Translation, type WebhookContext } from '../../controller/github/translate-webhook.ts';
import type { WorkflowJobEvent } from '../../controller/github/farm-events.ts';
import { RecordingFarm } from './recording-farm.ts';

/**
 * What a workflow_job delivery is turned into: which jobs reach the runner manager (a build's
 * job, or any job one of portfarm's runners took), with what, and which are another
 * workflow's traffic. Pure: no controller, no HTTP.
 */

const context: WebhookContext = { repo: 'macports/macports-ports', workflow: 'ports.yml', platforms: ['15_arm64'] };
const receivedAt = new Date('2026-12-03T12:00:00Z');

function translate(payload: unknown): Translation {
  return translateWebhook({ id: 'd-9', event: 'workflow_job', payload, receivedAt }, context);
}

function job(action: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action,
    repository: { id: 1, full_name: 'macports/macports-ports' },
    workflow_job: {
      id: 900, run_id: 55, run_attempt: 2, workflow_name: 'ports', head_branch: 'master',
      labels: ['self-hosted', 'portfarm-build-ab12-7', '15_arm64'], runner_id: 31, runner_name: 'portfarm-ab12-7-1-x9',
      conclusion: null, started_at: '2026-12-03T12:01:00Z', completed_at: null, steps: [],
      ...overrides,
    },
  };
}

function passedOn(t: Translation): WorkflowJobEvent {
  assert.equal(t.ignored, null);
  assert.equal(t.calls.length, 1);
  const [call] = t.calls;
  assert.ok(call?.method === 'onWorkflowJob');
  return call.arg;
}

test('a build job queued, waiting, in progress or completed is passed on with its action; any other workflow_job action changes nothing', () => {
  for (const action of ['queued', 'waiting', 'in_progress', 'completed']) assert.equal(passedOn(translate(job(action))).action, action, action);
  for (const action of ['requested', 'created', '']) assert.deepEqual(translate(job(action)), { calls: [], ignored: `workflow_job.${action} changes nothing` });
});

test('a build job is passed on with who it is, where it runs and when', () => {
  assert.deepEqual(passedOn(translate(job('in_progress'))), {
    deliveryId: 'd-9', buildId: 'ab12-7', runId: 55, runAttempt: 2, repositoryId: 1, repository: 'macports/macports-ports',
    workflowName: 'ports', headBranch: 'master', jobId: 900, action: 'in_progress',
    labels: ['self-hosted', 'portfarm-build-ab12-7', '15_arm64'], runnerId: 31, runnerName: 'portfarm-ab12-7-1-x9',
    conclusion: null, failedStep: null, at: new Date('2026-12-03T12:01:00Z'),
  });
});

test('a completed job is dated by its completion and names its first failed step; a payload without the attempt says null', () => {
  const done = passedOn(translate(job('completed', {
    conclusion: 'failure', completed_at: '2026-12-03T12:30:00Z',
    steps: [{ name: 'builder: install port', number: 2, conclusion: 'failure' }, { name: 'sync', number: 1, conclusion: 'success' }],
  })));
  assert.equal(done.at.toISOString(), '2026-12-03T12:30:00.000Z');
  assert.deepEqual([done.conclusion, done.failedStep], ['failure', 'install-port']);
  const workflowJob = { ...(job('queued')['workflow_job'] as Record<string, unknown>) };
  delete workflowJob['run_attempt'];
  assert.equal(passedOn(translate({ ...job('queued'), workflow_job: workflowJob })).runAttempt, null);
});

test('a failed step is named like its mpbb phase whatever blanks surround its name (a quoted step name in the workflow keeps them)', () => {
  assert.equal(phaseOfStep('builder: install port '), 'install-port');
  assert.equal(phaseOfStep('  cleanup'), 'cleanup');
  assert.equal(phaseOfStep('Watcher:   Mirror  Distfiles\t'), 'mirror-distfiles');
});

test('the build is named by the job\'s build label wherever it stands among the labels', () => {
  assert.equal(passedOn(translate(job('queued', { labels: ['portfarm-build-zz9', 'self-hosted'], runner_name: null }))).buildId, 'zz9');
  assert.equal(passedOn(translate(job('queued', { labels: ['self-hosted', 'macos', 'portfarm-build-zz9'], runner_name: null }))).buildId, 'zz9');
});

test('a job without a build label is passed on only when one of portfarm\'s runners took it (the VM must go)', () => {
  const foreign = passedOn(translate(job('in_progress', { labels: ['self-hosted'], runner_name: 'portfarm-ab12-7-1-x9' })));
  assert.deepEqual([foreign.buildId, foreign.runnerName], [null, 'portfarm-ab12-7-1-x9']);
  const ignored = { calls: [], ignored: 'job of a run portfarm did not dispatch (no portfarm-build-<id> label)' };
  assert.deepEqual(translate(job('in_progress', { labels: ['self-hosted'], runner_name: 'GitHub Actions 3' })), ignored);
  assert.deepEqual(translate(job('in_progress', { labels: ['self-hosted'], runner_name: 'my-portfarm-' })), ignored, 'the prefix must lead the name');
  assert.deepEqual(translate(job('queued', { labels: ['self-hosted'], runner_name: null })), ignored, 'not yet taken by any runner');
  assert.deepEqual(translate(job('queued', { labels: ['portfarm-build-'], runner_name: null })), ignored, 'a label with no id names no build');
});

test('the calls are made in order, each on its own method', async () => {
  const farm = new RecordingFarm();
  const watcher = { deliveryId: 'd', kind: 'watcher' as const, platform: 'p', portsRevision: 'a', previousRevision: null, changedPorts: [], prNumber: null, receivedAt };
  const jobCall = passedOn(translate(job('queued')));
  const runCall = translateWebhook({ id: 'd-2', event: 'workflow_run', payload: {
    action: 'completed', repository: { id: 1, full_name: 'macports/macports-ports' },
    workflow_run: { id: 55, run_attempt: 1, display_title: '[ab12-7] curl', head_sha: 'a', head_branch: 'master', path: '.github/workflows/ports.yml', event: 'workflow_dispatch', status: 'completed', conclusion: 'success', updated_at: '2026-12-03T12:00:00Z' },
  }, receivedAt }, context).calls[0];
  assert.ok(runCall?.method === 'onWorkflowRun');
  const calls: FarmCall[] = [
    { method: 'onWorkflowJob', arg: jobCall },
    { method: 'onPush', arg: watcher },
    { method: 'onWorkflowRun', arg: runCall.arg },
    { method: 'onPullRequest', arg: { ...watcher, kind: 'pr-watcher', prNumber: 7 } },
  ];
  await applyFarmCalls(calls, farm, new AbortController().signal);
  assert.deepEqual(farm.calls, calls);
});
