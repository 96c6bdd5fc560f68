import type { GitHubClients } from './create-github-clients.ts';
import { listRunJobs } from './list-run-jobs.ts';
import { failedPhase } from './translate-webhook.ts';

/**
 * How a failed run failed, from its jobs: the first failed step names the phase (a port
 * failure), and a failed job with no failed step lost its runner (GitHub: "The self-hosted
 * runner lost communication with the server") — a host or VM that went away, not the port.
 */
export type FailedRunCause = { readonly kind: 'step'; readonly phase: string } | { readonly kind: 'runner-lost' } | { readonly kind: 'unknown' };

/** Pure: the cause from the jobs' conclusions and steps. */
export function failedRunCause(jobs: readonly { readonly conclusion: string | null; readonly steps?: readonly { readonly name: string; readonly number: number; readonly conclusion: string | null }[] }[]): FailedRunCause {
  for (const job of jobs) {
    const phase = failedPhase(job.steps ?? []);
    if (phase !== null) return { kind: 'step', phase };
  }
  return jobs.some((job) => job.conclusion === 'failure') ? { kind: 'runner-lost' } : { kind: 'unknown' };
}

/** Asks GitHub for the run's jobs when no `workflow_job completed` said how it failed (lost, reordered). */
export async function explainFailedRun(clients: GitHubClients, runId: number, signal: AbortSignal): Promise<FailedRunCause> {
  return failedRunCause(await listRunJobs(clients, runId, signal));
}
