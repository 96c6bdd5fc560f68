import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import type { FarmEvents, WorkflowJobEvent } from '../../controller/github/farm-events.ts';
import { guardFarmEvents } from '../../controller/github/guard-farm-events.ts';
import { JobGate } from '../../controller/github/job-gate.ts';
import type { RepoAccess } from '../../controller/github/repo-access.ts';
import type { FarmIdentity } from '../../controller/github/verify-run-identity.ts';
import { createRunnerFarm, PLATFORM_15, waitFor } from '../runners/runner-farm.ts';

/**
 * The job gate drops a job of another run before any flow runs. But when one of portfarm's
 * runners took that job (it carried a live build's label), the runner manager must still hear
 * of it, or the VM the foreign job ran in lives on and its distfiles are collected as the
 * build's. Only that case passes the gate; the runner manager refuses the job itself.
 */
test('a refused job reaches the runner manager only when one of portfarm\'s runners took it', async () => {
  const seen: string[] = [];
  const inner = { onWorkflowJob: (event: WorkflowJobEvent) => { seen.push(`${event.action} ${event.runnerName ?? '-'}`); return Promise.resolve(); } } as unknown as FarmEvents;
  const guarded = guardFarmEvents(inner, {
    farm: {} as unknown as FarmIdentity,
    recordedRunOf: () => 1,
    jobs: { judge: () => Promise.resolve({ admitted: false, reason: 'run-not-recorded', why: 'test' }) },
    access: {} as unknown as RepoAccess,
    rebuildActors: [],
    rejections: new EventRejections({ registry: new Registry(), log: pino({ level: 'silent' }) }),
    log: pino({ level: 'silent' }),
  });
  const job = (action: WorkflowJobEvent['action'], runnerName: string | null): WorkflowJobEvent => ({
    deliveryId: `d-${action}`, buildId: 'b1', runId: 666, runAttempt: 1, repositoryId: 1, repository: 'someone/fork', workflowName: 'ports', headBranch: 'evil',
    jobId: 9, action, labels: ['self-hosted', '15_arm64', 'portfarm-build-b1'], runnerId: 3, runnerName, conclusion: null, failedStep: null, at: new Date(0),
  });
  const signal = new AbortController().signal;
  await guarded.onWorkflowJob(job('queued', null), signal);
  await guarded.onWorkflowJob(job('in_progress', 'GitHub Actions 5'), signal);
  await guarded.onWorkflowJob(job('in_progress', 'portfarm-b1-1-abcd'), signal);
  await guarded.onWorkflowJob(job('completed', 'portfarm-b1-1-abcd'), signal);
  assert.deepEqual(seen, ['in_progress portfarm-b1-1-abcd', 'completed portfarm-b1-1-abcd']);
});

/** Every refusal counted so far, over all reasons. */
async function rejectedTotal(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('portfarm_events_rejected_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/**
 * The gate judges a job once; the runner manager, handed a job the gate refused only because a
 * farm runner ran it, must not judge and count it a second time under another reason.
 */
test('a refused foreign job that ran on a farm runner is counted exactly once per event, and its VM still goes', async () => {
  const registry = new Registry();
  const rejections = new EventRejections({ registry, log: pino({ level: 'silent' }) });
  const farmRun = createRunnerFarm({ rejections });
  const { manager, github, backend } = farmRun;
  github.behaviour.autoComplete = false;
  await manager.start();
  try {
    const real = github.queue('h1', PLATFORM_15.name);
    await waitFor(() => real.state === 'in_progress', 'the build\'s job running on its runner');
    const farm: FarmIdentity = { repositoryId: 1, repository: 'macports/macports-ports', defaultBranch: 'master', workflow: 'ports.yml', pullRequestWorkflow: 'ports-pr.yml', appBot: 'portfarm[bot]' };
    const gate = new JobGate({ farm, recordedRunOf: (id) => (id === 'h1' ? real.runId : undefined), runs: { get: () => Promise.reject(new Error('not asked')) }, rejections });
    const inner = { onWorkflowJob: (event: WorkflowJobEvent) => { manager.handleWorkflowJob(event); return Promise.resolve(); } } as unknown as FarmEvents;
    const guarded = guardFarmEvents(inner, { farm, recordedRunOf: (id) => (id === 'h1' ? real.runId : undefined), jobs: gate, access: {} as unknown as RepoAccess, rebuildActors: [], rejections, log: pino({ level: 'silent' }) });
    const forged = (action: WorkflowJobEvent['action'], runnerName: string | null): WorkflowJobEvent => ({
      deliveryId: `d-${action}`, buildId: 'h1', runId: 666, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', workflowName: 'ports', headBranch: 'evil',
      jobId: 9, action, labels: ['self-hosted', PLATFORM_15.name, 'portfarm-build-h1'], runnerId: 3, runnerName, conclusion: null, failedStep: null, at: new Date(0),
    });
    const signal = new AbortController().signal;
    const vm = real.runnerName;
    assert.ok(vm !== null);
    await guarded.onWorkflowJob(forged('queued', null), signal);
    assert.equal(await rejectedTotal(registry), 1, 'a refused queued job: once, by the gate');
    assert.equal(await rejections.count('run-not-recorded'), 1);
    await guarded.onWorkflowJob(forged('in_progress', vm), signal);
    assert.equal(await rejectedTotal(registry), 2, 'a refused job on a farm runner: once more, not twice');
    assert.equal(await rejections.count('runner-taken-by-foreign-job'), 1);
    await waitFor(() => !backend.vmIds().includes(vm), 'the VM the refused job ran on destroyed');
    await guarded.onWorkflowJob(forged('completed', vm), signal);
    assert.equal(await rejectedTotal(registry), 3);
  } finally {
    await manager.stop();
  }
});
