/**
 * Which run a workflow run really is. Anyone who can open a pull request can start a run in the
 * ports repository with any `run-name` (a PR may edit ports.yml itself to run on
 * `pull_request`), and build ids are sequential and public in run names: the title proves
 * nothing. What GitHub sets and a PR cannot choose proves the run: the repository (id and full
 * name), the workflow file (`path`), the trigger (`event`), the branch (`head_branch`), the run
 * id the dispatch answered with and, for a dispatch whose answer was lost, who triggered it.
 */
export interface RunIdentity {
  readonly runId: number;
  readonly runAttempt: number;
  readonly repositoryId: number;
  /** `owner/name`. */
  readonly repository: string;
  /** The workflow file, `.github/workflows/ports.yml` (GitHub may add `@<ref>`). */
  readonly path: string;
  /** What started the run: `workflow_dispatch`, `pull_request`, `push`, `schedule`… */
  readonly event: string;
  /** The branch the run ran on (for a pull request: the PR's head branch). */
  readonly headBranch: string | null;
  readonly headSha: string;
  /** Who started this attempt (a re-run: who re-ran it) and who started the first; logins. */
  readonly triggeringActor: string | null;
  readonly actor: string | null;
}

/** What the controller knows to hold a run against: the configured repository and its App. */
export interface FarmIdentity {
  readonly repositoryId: number;
  readonly repository: string;
  readonly defaultBranch: string;
  /** The ports workflow file name (`github.workflow`, ports.yml). */
  readonly workflow: string;
  /** The pull-request workflow file name (ports-pr.yml). */
  readonly pullRequestWorkflow: string;
  /** The App's bot user, `<app-slug>[bot]`: the triggering actor of every run the controller dispatched. */
  readonly appBot: string;
}

export type RunVerdict = { readonly accepted: true } | { readonly accepted: false; readonly reason: RunRejection; readonly why: string };

/** Stable slugs (metric labels) for a refused run. */
export type RunRejection =
  | 'foreign-repository'
  | 'foreign-workflow'
  | 'not-dispatched'
  | 'not-default-branch'
  | 'unknown-build'
  | 'run-not-recorded'
  | 'not-app-triggered'
  | 'not-pull-request-run';

const ACCEPTED: RunVerdict = { accepted: true };
const refuse = (reason: RunRejection, why: string): RunVerdict => ({ accepted: false, reason, why });

/** `.github/workflows/ports.yml@refs/heads/x` → `.github/workflows/ports.yml`. */
function workflowPath(path: string): string {
  return path.replace(/@.*$/, '');
}

/** A run of this repository (id and name) and of exactly `.github/workflows/<workflow>`; which event started it is the caller's question. */
function ofOwnWorkflow(run: RunIdentity, farm: FarmIdentity, workflow: string): RunVerdict {
  if (run.repositoryId !== farm.repositoryId || run.repository.toLowerCase() !== farm.repository.toLowerCase()) {
    return refuse('foreign-repository', `run ${run.runId} is in ${run.repository} (id ${run.repositoryId}), not ${farm.repository} (id ${farm.repositoryId})`);
  }
  const expected = `.github/workflows/${workflow}`;
  if (workflowPath(run.path) !== expected) return refuse('foreign-workflow', `run ${run.runId} is of ${run.path}, not ${expected}`);
  return ACCEPTED;
}

/**
 * A run of the farm's own ports workflow, as the controller starts them: this repository, exactly
 * `.github/workflows/<workflow>`, a `workflow_dispatch` on the default branch. Says nothing yet
 * about which build it is (see `verifyBuildRun`); a maintainer's "Run workflow" passes too.
 */
export function verifyDispatchedRun(run: RunIdentity, farm: FarmIdentity): RunVerdict {
  const own = ofOwnWorkflow(run, farm, farm.workflow);
  if (!own.accepted) return own;
  if (run.event !== 'workflow_dispatch') return refuse('not-dispatched', `run ${run.runId} was started by ${run.event}, not workflow_dispatch`);
  if (run.headBranch !== farm.defaultBranch) return refuse('not-default-branch', `run ${run.runId} ran on ${run.headBranch ?? '(no branch)'}, not the default branch ${farm.defaultBranch}`);
  return ACCEPTED;
}

/**
 * The run of one build: a dispatched ports run (above) whose id is the one the dispatch answered
 * with (`recordedRunId`). When that answer was lost (`null`), only a run the App itself triggered
 * is the build's: nobody else can dispatch with the App's identity, and the controller dispatches
 * each build id once. `recordedRunId` undefined: the build is not the farm's (unknown id).
 */
export function verifyBuildRun(run: RunIdentity, farm: FarmIdentity, recordedRunId: number | null | undefined): RunVerdict {
  const dispatched = verifyDispatchedRun(run, farm);
  if (!dispatched.accepted) return dispatched;
  if (recordedRunId === undefined) return refuse('unknown-build', `run ${run.runId} names a build the queue does not know`);
  if (recordedRunId !== null) {
    return recordedRunId === run.runId ? ACCEPTED : refuse('run-not-recorded', `run ${run.runId} is not run ${recordedRunId}, the one dispatched for this build`);
  }
  const by = run.triggeringActor ?? run.actor;
  if (by !== farm.appBot || (run.actor !== null && run.actor !== farm.appBot)) {
    return refuse('not-app-triggered', `run ${run.runId} was triggered by ${by ?? '(nobody)'}, not ${farm.appBot}; the build's dispatch answer was lost, so only the App's own run is taken`);
  }
  return ACCEPTED;
}

/** A run of ports-pr.yml as GitHub starts them: a `pull_request` run of this repository's `.github/workflows/<pullRequestWorkflow>`. */
export function verifyPullRequestRun(run: RunIdentity, farm: FarmIdentity): RunVerdict {
  const own = ofOwnWorkflow(run, farm, farm.pullRequestWorkflow);
  if (!own.accepted) return own;
  if (run.event !== 'pull_request') return refuse('not-pull-request-run', `run ${run.runId} of .github/workflows/${farm.pullRequestWorkflow} was started by ${run.event}, not pull_request`);
  return ACCEPTED;
}
