import type { Logger } from 'pino';
import type { FailedRunCause } from '../github/explain-failed-run.ts';
import type { FarmEvents } from '../github/farm-events.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';
import type { BuildNotes } from './build-notes.ts';
import type { CheckPublishing } from './check-publishing.ts';
import type { BuildFinished } from './on-build-finished.ts';
import { createOnPullRequest } from './on-pull-request.ts';
import { createOnPush } from './on-push.ts';
import { createOnWorkflowJob } from './on-workflow-job.ts';
import { createOnWorkflowRun } from './on-workflow-run.ts';

export interface FarmEventFlowsOptions {
  readonly reorder: ReorderService;
  readonly runners: Pick<RunnerManager, 'handleWorkflowJob'>;
  readonly notes: BuildNotes;
  readonly checks: Pick<CheckPublishing, 'started'>;
  readonly explainFailedRun: (runId: number, signal: AbortSignal) => Promise<FailedRunCause>;
  readonly onFinished: BuildFinished;
  readonly kick: () => void;
  readonly log: Logger;
}

/**
 * Which flow answers which translated webhook: a push (on-push), a pull request
 * (on-pull-request), a run changed (on-workflow-run), a job changed (on-workflow-job). Every
 * flow is idempotent, because GitHub delivers at least once and in any order.
 */
export function createFarmEventFlows(options: FarmEventFlowsOptions): FarmEvents {
  const { reorder, runners, notes, kick, log } = options;
  return {
    onPush: createOnPush({ reorder, kick, log }),
    onPullRequest: createOnPullRequest({ log }),
    onWorkflowRun: createOnWorkflowRun({ reorder, notes, explainFailedRun: options.explainFailedRun, onFinished: options.onFinished, kick, log }),
    onWorkflowJob: createOnWorkflowJob({ reorder, runners, notes, onStarted: (buildId, at) => { options.checks.started(buildId, at); }, kick }),
  };
}
