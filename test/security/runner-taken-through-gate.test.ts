import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import type { FarmEvents, WorkflowJobEvent } from '../../controller/github/farm-events.ts';
import { guardFarmEvents } from '../../controller/github/guard-farm-events.ts';
import type { RepoAccess } from '../../controller/github/repo-access.ts';
import type { FarmIdentity } from '../../controller/github/verify-run-identity.ts';

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
    jobs: { admits: () => Promise.resolve(false) },
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
