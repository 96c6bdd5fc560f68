import { isPullRequestBuildId, type BuildId } from '../model/build-id.ts';
import { verifyBuildRun, verifyPullRequestRun, type FarmIdentity, type RunIdentity, type RunRejection } from './verify-run-identity.ts';

/** What a `workflow_job` event (or a listed job) says about itself. */
export interface JobClaim {
  /** From its `portfarm-build-<id>` label: anyone can put any label in `runs-on`. */
  readonly buildId: BuildId;
  readonly jobId: number;
  readonly runId: number;
  /** null when the source did not say: then a pull-request label's attempt cannot be matched. */
  readonly runAttempt: number | null;
  /** The repository of the job's run, when the source says (webhooks do; a listing is of this repository). */
  readonly repositoryId: number | null;
  readonly repository: string | null;
}

/**
 * What the controller needs to know to judge a job: for a build it dispatched, the run it
 * recorded (`undefined`: no such build); the run itself (asked of GitHub once per run id) when
 * the job's own fields cannot prove it.
 */
export interface JobFacts {
  readonly recordedRunId: number | null | undefined;
  readonly run: RunIdentity | null;
}

export type JobVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: JobRejection | RunRejection; readonly why: string }
  /** The job's fields do not settle it: ask GitHub for run `runId` and judge again with it. */
  | { readonly accepted: 'ask'; readonly runId: number };

export type JobRejection = 'foreign-repository' | 'unknown-build' | 'run-not-recorded' | 'pr-label-mismatch';

/** `pr-<run id>-<attempt>-<job>` (ports-pr.yml's labels) → its run id and attempt; null when the id is not of that shape. */
export function pullRequestLabelRun(buildId: BuildId): { readonly runId: number; readonly runAttempt: number } | null {
  const match = /^pr-(\d+)-(\d+)-[a-z0-9]+$/.exec(buildId);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  return { runId: Number(match[1]), runAttempt: Number(match[2]) };
}

/**
 * Pure: whether a job carrying `portfarm-build-<id>` may get a VM. A build the controller
 * dispatched: only a job of the run it recorded for that build (or, when the dispatch answer was
 * lost, of the App's own dispatched run, which GitHub is asked for). A pull-request build: the
 * label names its run and attempt, and that run must be a `pull_request` run of ports-pr.yml in
 * this repository (the job's `workflow_name` is any workflow's to choose, so GitHub is asked).
 * Anything else gets nothing.
 */
export function verifyJobIdentity(job: JobClaim, farm: FarmIdentity, facts: JobFacts): JobVerdict {
  if (job.repositoryId !== null && (job.repositoryId !== farm.repositoryId || job.repository?.toLowerCase() !== farm.repository.toLowerCase())) {
    return { accepted: false, reason: 'foreign-repository', why: `job ${job.jobId} is of a run in ${job.repository ?? '?'} (id ${job.repositoryId}), not ${farm.repository} (id ${farm.repositoryId})` };
  }
  if (isPullRequestBuildId(job.buildId)) {
    const named = pullRequestLabelRun(job.buildId);
    if (named === null || named.runId !== job.runId || named.runAttempt !== job.runAttempt) {
      return { accepted: false, reason: 'pr-label-mismatch', why: `job ${job.jobId} of run ${job.runId} attempt ${job.runAttempt} carries the label of ${job.buildId}, which names another run` };
    }
    if (facts.run === null) return { accepted: 'ask', runId: job.runId };
    return fromRun(verifyPullRequestRun(facts.run, farm));
  }
  if (facts.recordedRunId === undefined) return { accepted: false, reason: 'unknown-build', why: `job ${job.jobId} asks for build ${job.buildId}, which the queue does not know` };
  if (facts.recordedRunId !== null) {
    return facts.recordedRunId === job.runId
      ? { accepted: true }
      : { accepted: false, reason: 'run-not-recorded', why: `job ${job.jobId} is of run ${job.runId}, not run ${facts.recordedRunId}, the one dispatched for build ${job.buildId}` };
  }
  if (facts.run === null) return { accepted: 'ask', runId: job.runId };
  return fromRun(verifyBuildRun(facts.run, farm, null));
}

function fromRun(verdict: ReturnType<typeof verifyBuildRun>): JobVerdict {
  return verdict.accepted ? { accepted: true } : verdict;
}
