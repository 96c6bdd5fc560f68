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

/**
 * The serve side of job identity: a job carrying `portfarm-build-<id>` reaches the runner
 * manager (and gets a VM) only when it is of that build's run (verify-job-identity.ts). Where
 * the job's fields cannot settle it, GitHub is asked for the run once (cached per run id); a
 * refused job is counted and logged once with the reason.
 */
export class JobGate {
  readonly #options: JobGateOptions;

  constructor(options: JobGateOptions) {
    this.#options = options;
  }

  async admits(job: JobClaim, signal: AbortSignal): Promise<boolean> {
    const { farm, recordedRunOf, runs, rejections } = this.#options;
    const subject = `job ${job.jobId}`;
    const details = { jobId: job.jobId, runId: job.runId, runAttempt: job.runAttempt, buildId: job.buildId };
    const facts = { recordedRunId: recordedRunOf(job.buildId), run: null };
    let verdict = verifyJobIdentity(job, farm, facts);
    if (verdict.accepted === 'ask') {
      let run;
      try {
        run = await runs.get(verdict.runId, signal);
      } catch (caught) {
        // Not proven, so no VM; the next sweep (jobs still queued without a VM) asks again.
        rejections.reject('run-unverifiable', subject, { ...details, why: `GitHub did not say what run ${verdict.runId} is: ${caught instanceof Error ? caught.message : String(caught)}` });
        return false;
      }
      verdict = verifyJobIdentity(job, farm, { ...facts, run });
    }
    if (verdict.accepted === true) return true;
    if (verdict.accepted === false) rejections.reject(verdict.reason, subject, { ...details, why: verdict.why });
    return false;
  }
}
