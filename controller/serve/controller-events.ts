import type { Logger } from 'pino';
import type { FarmEvents, WatcherRequest, WorkflowJobEvent, WorkflowRunEvent } from '../github/farm-events.ts';
import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';

export interface ControllerEventsOptions {
  readonly reorder: ReorderService;
  readonly runners: RunnerManager;
  /** Asks the controller loop for a scheduling round (pump). */
  readonly kick: () => void;
  /** A build's run completed: ledger, checks, mail. Called once per build id, before the queue forgets it. */
  readonly onFinished: (buildId: BuildId, result: BuildResult, event: WorkflowRunEvent) => Promise<void>;
  /** A builder's job was taken by its runner: its check goes in_progress. */
  readonly onStarted: (buildId: BuildId, at: Date) => void;
  readonly log: Logger;
}

/**
 * Where the GitHub face's translated webhooks meet the farm: pushes and PRs become watchers,
 * job events drive the runner manager and the run states of the reorder service. Every call
 * is idempotent (the reorder service and the runner manager ignore repeats), because GitHub
 * delivers at least once and in any order.
 */
export function createControllerEvents(options: ControllerEventsOptions): FarmEvents {
  const { reorder, runners, kick, log } = options;
  const enqueue = (request: WatcherRequest, prNumber: number | null): void => {
    const { buildId, coalesced } = reorder.enqueueWatcher({
      platform: request.platform,
      portsRevision: request.portsRevision,
      changedPorts: prNumber === null ? [...request.changedPorts] : null,
      force: false,
      prNumber,
      now: request.receivedAt,
    });
    log.info({ deliveryId: request.deliveryId, buildId, platform: request.platform, coalesced }, prNumber === null ? 'watcher queued' : 'PR watcher queued');
    kick();
  };
  return {
    onPush: (request) => {
      enqueue(request, null);
      return Promise.resolve();
    },
    onPullRequest: (request) => {
      enqueue(request, request.prNumber);
      return Promise.resolve();
    },
    onWorkflowJob: (event: WorkflowJobEvent) => {
      runners.handleWorkflowJob(event);
      if (event.action === 'in_progress' && event.buildId !== null && reorder.runStarted(event.buildId, event.at)) {
        options.onStarted(event.buildId, event.at);
        kick();
      }
      return Promise.resolve();
    },
    onWorkflowRun: async (event: WorkflowRunEvent) => {
      if (event.buildId === null || event.action !== 'completed') return;
      const result = toResult(event.conclusion);
      // runFinished answers false for a repeat: the side effects run once per build.
      if (reorder.runFinished(event.buildId, result, event.at)) await options.onFinished(event.buildId, result, event);
      kick();
    },
  };
}

function toResult(conclusion: string | null): BuildResult {
  if (conclusion === 'success') return 'success';
  if (conclusion === 'cancelled' || conclusion === 'skipped') return 'cancelled';
  return 'failure';
}
