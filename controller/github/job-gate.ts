import type { BuildId } from '../model/build-id.ts';
import type { EventRejections } from './event-rejections.ts';
import type { RunIdentityLookup } from './run-identity-lookup.ts';
import { verifyJobIdentity, type JobClaim } from './verify-job-identity.ts';
import type { FarmIdentity } from './verify-run-identity.ts';

export interface JobGateOptions {
  readonly farm: FarmIdentity;
  /** The run the controller recorded for a build it dispatched: null while the dispatch answer is unknown, undefined for an id it never gave out. */
  readonly recordedRunOf: (buildId: BuildId) => number | null | undefined;
  readonly runs: Pick<RunIdentityLookup, 'get'>;
  readonly rejections: EventRejections;
}

/** The gate's verdict on one job: admitted, or refused with a stable reason slug and why. */
export type JobJudgement =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly reason: string; readonly why: string };

/**
 * The serve side of job identity, and the one judge of it: a job carrying `portfarm-build-<id>`
 * reaches the runner manager (and gets a VM) only when it is of that build's run
 * (verify-job-identity.ts). Where the job's fields cannot settle it, GitHub is asked for the run
 * once (cached per run id). A refused job is counted once, by whoever drops it (`admits`, or the
 * guard that passes a refused job on only so its runner's VM can go).
 */
export class JobGate {
  readonly #options: JobGateOptions;

  constructor(options: JobGateOptions) {
    this.#options = options;
  }

  /** Judges without counting: the caller counts a refusal exactly once. */
  async judge(job: JobClaim, signal: AbortSignal): Promise<JobJudgement> {
    const { farm, recordedRunOf, runs } = this.#options;
    const facts = { recordedRunId: recordedRunOf(job.buildId), run: null };
    let verdict = verifyJobIdentity(job, farm, facts);
    if (verdict.accepted === 'ask') {
      let run;
      try {
        run = await runs.get(verdict.runId, signal);
      } catch (caught) {
        // Not proven, so no VM; the next sweep (jobs still queued without a VM) asks again.
        return { admitted: false, reason: 'run-unverifiable', why: `GitHub did not say what run ${verdict.runId} is: ${caught instanceof Error ? caught.message : String(caught)}` };
      }
      verdict = verifyJobIdentity(job, farm, { ...facts, run });
    }
    if (verdict.accepted === true) return { admitted: true };
    if (verdict.accepted === false) return { admitted: false, reason: verdict.reason, why: verdict.why };
    return { admitted: false, reason: 'run-unverifiable', why: `run ${verdict.runId} could not be judged after GitHub answered` };
  }

  /** Judges and counts a refusal (logged once per job and reason). */
  async admits(job: JobClaim, signal: AbortSignal): Promise<boolean> {
    const judgement = await this.judge(job, signal);
    if (!judgement.admitted) this.#options.rejections.reject(judgement.reason, jobSubject(job), { ...jobDetails(job), why: judgement.why });
    return judgement.admitted;
  }
}

/** How a refused job is named in the rejection log (one line per job and reason). */
export function jobSubject(job: Pick<JobClaim, 'jobId'>): string {
  return `job ${job.jobId}`;
}

export function jobDetails(job: JobClaim): Readonly<Record<string, unknown>> {
  return { jobId: job.jobId, runId: job.runId, runAttempt: job.runAttempt, buildId: job.buildId };
}
