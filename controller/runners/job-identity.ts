import type { BuildId } from '../model/build-id.ts';

/**
 * The run a build's job must belong to: for a master build the run the controller dispatched
 * and recorded for it (any attempt: a maintainer's re-run keeps the run id), for a pull-request
 * build the run and attempt its id names (`pr-<run id>-<attempt>-<job>`).
 */
export interface RecordedRun {
  readonly runId: number;
  /** null: any attempt of the run. */
  readonly runAttempt: number | null;
}

/** What a job event says about itself (the part identity is judged on). */
export interface JobClaim {
  readonly runId: number;
  readonly runAttempt: number | null;
  readonly jobId: number;
}

/**
 * Why a job event is not the build's own job; each is a stable `EventRejections` reason.
 * `run-not-recorded`: the build id is unknown (never dispatched, or not yet recorded).
 * `foreign-run` / `foreign-attempt`: the job carries the build's label from another run.
 * `foreign-job`: same run, but not the job the lease already serves.
 */
export type JobRefusal = 'run-not-recorded' | 'foreign-run' | 'foreign-attempt' | 'foreign-job';

/** `pr-<run id>-<attempt>-<job>` → its run and attempt; null for any other id. */
export function runOfPullRequestBuild(buildId: BuildId): RecordedRun | null {
  const match = /^pr-([1-9]\d{0,15})-([1-9]\d{0,5})-[a-z0-9][a-z0-9-]*$/.exec(buildId);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  return { runId: Number(match[1]), runAttempt: Number(match[2]) };
}

/**
 * Pure: whether a job event is the build's own job. Anyone who can open a pull request can run a
 * job with any `runs-on` labels, so a label names a build but proves nothing; the run (and, once
 * the lease knows it, the job id) must be the one recorded for the build.
 */
export function judgeJobClaim(claim: JobClaim, recorded: RecordedRun | null, leaseJobId: number | null): JobRefusal | null {
  if (recorded === null) return 'run-not-recorded';
  if (claim.runId !== recorded.runId) return 'foreign-run';
  if (recorded.runAttempt !== null && claim.runAttempt !== recorded.runAttempt) return 'foreign-attempt';
  if (leaseJobId !== null && claim.jobId !== leaseJobId) return 'foreign-job';
  return null;
}

/**
 * The recorded run of any build id: a PR build's from its id, a master build's from the run id
 * the controller recorded when it dispatched it (`masterRunId`, null while unknown or not yet
 * recorded: its jobs are refused until then, and the catch-up sweep asks GitHub again).
 */
export function recordedRunOf(buildId: BuildId, masterRunId: (buildId: BuildId) => number | null): RecordedRun | null {
  if (buildId.startsWith('pr-')) return runOfPullRequestBuild(buildId);
  const runId = masterRunId(buildId);
  return runId === null ? null : { runId, runAttempt: null };
}
