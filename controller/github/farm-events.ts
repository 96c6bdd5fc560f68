import type { BuildId } from '../model/build-id.ts';
import type { RunIdentity } from './verify-run-identity.ts';

/**
 * What the GitHub face tells the rest of the farm, already translated from webhooks: the
 * reorder service (watchers, run state) and the runner manager (jobs) implement it. Every
 * call carries the delivery id for logs; calls may repeat (GitHub delivers at least once, a
 * recovered delivery arrives late) and arrive out of order, so implementations are idempotent.
 */
export interface FarmEvents {
  /** A push to the default branch touching ports: called once per configured platform. */
  onPush(request: WatcherRequest, signal: AbortSignal): Promise<void>;
  /** A pull request opened or updated: called once per configured platform. */
  onPullRequest(request: WatcherRequest, signal: AbortSignal): Promise<void>;
  /** A run of the ports workflow was requested, started or finished. */
  onWorkflowRun(event: WorkflowRunEvent, signal: AbortSignal): Promise<void>;
  /** A job of the ports workflow was queued, taken by a runner or finished. */
  onWorkflowJob(event: WorkflowJobEvent, signal: AbortSignal): Promise<void>;
}

export interface WatcherRequest {
  readonly deliveryId: string;
  readonly kind: 'watcher' | 'pr-watcher';
  readonly platform: string;
  /** The commit to build (push `after`, PR head sha). */
  readonly portsRevision: string;
  /** The commit before (push `before`, PR base sha); null for a new branch. */
  readonly previousRevision: string | null;
  /** Ports whose files the push touched (`<category>/<port>/...`), sorted; empty for PRs (their watcher lists them). */
  readonly changedPorts: readonly string[];
  readonly prNumber: number | null;
  readonly receivedAt: Date;
}

export interface WorkflowRunEvent {
  readonly deliveryId: string;
  /** From the run name `[<id>] …`; null for a run portfarm did not dispatch. */
  readonly buildId: BuildId | null;
  /** The run name (`display_title`): a run started by hand says what it asks for (`manual: watcher (full rebuild) on 15_arm64`). */
  readonly title: string;
  /** The commit the run was started on. */
  readonly headSha: string;
  readonly runId: number;
  readonly action: 'requested' | 'in_progress' | 'completed';
  readonly status: string;
  readonly conclusion: string | null;
  readonly at: Date;
  /** What GitHub says the run is (repository, workflow file, trigger, branch, actors): checked before the farm moves. */
  readonly identity: RunIdentity;
}

export interface WorkflowJobEvent {
  readonly deliveryId: string;
  /** From the `portfarm-build-<id>` label in `runs-on`; null for jobs of other workflows. */
  readonly buildId: BuildId | null;
  readonly runId: number;
  /** Which attempt of the run (a re-run is attempt 2, …); null when the payload did not say. */
  readonly runAttempt: number | null;
  /** The repository the job's run is in (id, `owner/name`). */
  readonly repositoryId: number;
  readonly repository: string;
  /** The workflow's `name:` (not its file: two workflows may share a name) and the run's branch. */
  readonly workflowName: string | null;
  readonly headBranch: string | null;
  readonly jobId: number;
  readonly action: 'queued' | 'waiting' | 'in_progress' | 'completed';
  readonly labels: readonly string[];
  readonly runnerId: number | null;
  readonly runnerName: string | null;
  readonly conclusion: string | null;
  /** The first failed step as an mpbb phase (`builder: install port` → `install-port`), on `completed`. */
  readonly failedStep: string | null;
  readonly at: Date;
  /** Set by the trust boundary on a job it refused but passes on because a portfarm runner ran it (see model/workflow-job-event.ts). */
  readonly refusedAtBoundary?: boolean;
}
