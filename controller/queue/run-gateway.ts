import type { BuildId } from '../model/build-id.ts';
import type { BuildKind } from '../model/build-kind.ts';

/** What the reorder service asks GitHub to run: one `ports` workflow_dispatch. */
export interface DispatchRequest {
  readonly buildId: BuildId;
  readonly platform: string;
  readonly kind: BuildKind;
  /** Set for builders; null makes the run a watcher. */
  readonly port: string | null;
  readonly portsRevision: string;
  /** A forced full rebuild watcher (all ports). */
  readonly force: boolean;
  /** An explicit port list for a watcher (null: the ports the commit range touched). */
  readonly portlist: readonly string[] | null;
  /** PR builds: the pull request number (never deploy). */
  readonly prNumber: number | null;
  /** The run's lane on its platform (its concurrency group `ports-<platform>` for 0, `ports-<platform>-<lane>` above). */
  readonly lane: number;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed';

export interface RunSummary {
  readonly runId: number;
  readonly buildId: BuildId;
  readonly status: RunStatus;
  readonly conclusion: string | null;
  /**
   * Whether the App itself triggered the run. A run name is anyone's to choose: a build whose
   * dispatch answer was lost (no run id recorded) adopts only a run the App triggered.
   */
  readonly triggeredByApp: boolean;
}

/**
 * The reorder service's only way to act on GitHub. The GitHub face implements it with
 * octokit (workflow_dispatch with return_run_details, cancel/force-cancel, list runs);
 * tests use fakes that honour the same contract.
 */
export interface RunGateway {
  /** Dispatches the run; the build id travels in the inputs and the run name. */
  dispatch(request: DispatchRequest, signal: AbortSignal): Promise<{ readonly runId: number }>;
  /**
   * Cancels a run (force-cancel when a plain cancel does not take) and answers how the run
   * ended: `cancelled`, or the conclusion it already had when the cancel came too late (its
   * build happened and must not be queued again), or null while it is not known.
   */
  cancel(runId: number, signal: AbortSignal): Promise<{ readonly conclusion: string | null }>;
  /**
   * Dispatched runs of the ports workflow on the default branch of the ports repository, created
   * since `since`, matched to build ids by run name (others are not listed); for reconcile.
   */
  listRuns(since: Date, signal: AbortSignal): Promise<readonly RunSummary[]>;
}
