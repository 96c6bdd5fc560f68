import type { Logger } from 'pino';
import { UserError } from '../errors/user-error.ts';
import type { FarmEvents, WatcherRequest, WorkflowJobEvent, WorkflowRunEvent } from '../github/farm-events.ts';
import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';

export interface ControllerEventsOptions {
  readonly reorder: ReorderService;
  readonly runners: Pick<RunnerManager, 'handleWorkflowJob'>;
  /** Asks the controller loop for a scheduling round (pump). */
  readonly kick: () => void;
  /** A build's run completed: ledger, checks, mail. Called once per build id, before the queue forgets it. */
  readonly onFinished: (buildId: BuildId, result: BuildResult, event: WorkflowRunEvent) => Promise<void>;
  /** A builder's job was taken by its runner: its check goes in_progress. */
  readonly onStarted: (buildId: BuildId, at: Date) => void;
  /** Whether the build's runner was lost (its host or VM went away): the build is queued again, not failed. */
  readonly runnerLost?: (buildId: BuildId) => boolean;
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
  const enqueue = (request: WatcherRequest): void => {
    const { buildId, coalesced, portsRevision } = reorder.enqueueWatcher({
      platform: request.platform,
      portsRevision: request.portsRevision,
      previousRevision: request.previousRevision,
      changedPorts: [...request.changedPorts],
      force: false,
      prNumber: null,
      now: request.receivedAt,
      deliveryId: request.deliveryId,
    });
    // A push delivered after a newer one lists at the newer revision (it is already on the branch).
    const newer = portsRevision === request.portsRevision ? {} : { pushedRevision: request.portsRevision, portsRevision };
    log.info({ deliveryId: request.deliveryId, buildId, platform: request.platform, coalesced, ...newer }, 'watcher queued');
    kick();
  };
  return {
    onPush: (request) => {
      enqueue(request);
      return Promise.resolve();
    },
    onPullRequest: (request) => {
      // PR heads run untrusted code: ports-pr.yml builds them on its own pull_request trigger,
      // with no secrets and no token, never through ports.yml (which can deploy). The queue's
      // PR class waits for a dispatchable PR workflow; until then the event is only logged.
      log.info({ deliveryId: request.deliveryId, prNumber: request.prNumber, platform: request.platform }, 'pull request: built by ports-pr.yml, not queued');
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
      if (event.buildId === null) {
        // A maintainer's "Run workflow" with force ticked: its job does nothing (no build id);
        // the full rebuild is queued here, so the reorder queue stays the only scheduler.
        if (event.action !== 'requested') return;
        const title = event.title.trim();
        const forced = /^manual: watcher \(full rebuild\) on (\S+)$/.exec(title);
        if (forced?.[1] === undefined) {
          if (title.startsWith('manual:')) {
            log.info({ deliveryId: event.deliveryId, runId: event.runId, title }, 'manual run does nothing: the controller queues every build itself; tick force in the Actions form for a full rebuild');
          }
          return;
        }
        const platform = forced[1];
        try {
          const { buildId, coalesced } = reorder.enqueueWatcher({ platform, portsRevision: event.headSha, changedPorts: null, force: true, prNumber: null, now: event.at });
          log.info({ deliveryId: event.deliveryId, buildId, platform, coalesced }, 'full rebuild queued (forced from the Actions form)');
        } catch (caught) {
          // A platform the workflow's form offers but this farm does not build: the queue stays as it was.
          if (!(caught instanceof UserError)) throw caught;
          log.warn({ deliveryId: event.deliveryId, runId: event.runId, platform, reason: caught.message }, 'full rebuild refused, queue unchanged');
          return;
        }
        kick();
        return;
      }
      if (event.action !== 'completed') return;
      const result = toResult(event.conclusion);
      // runFinished answers false for a repeat: the side effects run once per build.
      if (reorder.runFinished(event.buildId, result, event.at, { runnerLost: options.runnerLost?.(event.buildId) ?? false })) await options.onFinished(event.buildId, result, event);
      kick();
    },
  };
}

function toResult(conclusion: string | null): BuildResult {
  if (conclusion === 'success') return 'success';
  if (conclusion === 'cancelled' || conclusion === 'skipped') return 'cancelled';
  return 'failure';
}
