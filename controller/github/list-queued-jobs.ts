import type { WorkflowJobEvent } from '../model/workflow-job-event.ts';
import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import { listRunJobs } from './list-run-jobs.ts';
import { withSignal } from './with-signal.ts';

/**
 * The jobs of a run that still wait for a runner, as the `queued` events the runner manager
 * takes. After a crash the controller has handled (and stored) a job's `queued` delivery but
 * lost the VM it was starting, and GitHub sends no second one: asking for the run's jobs is
 * the only way to learn that a job still waits.
 */
export async function listQueuedJobs(clients: GitHubClients, runId: number, signal: AbortSignal): Promise<(WorkflowJobEvent & { readonly runAttempt: number | null })[]> {
  return (await listRunJobs(clients, runId, signal))
    .filter((job) => job.status === 'queued' || job.status === 'waiting' || job.status === 'pending')
    .map((job) => ({ action: 'queued', jobId: job.id, runId, runAttempt: job.run_attempt ?? null, labels: job.labels, runnerId: null, runnerName: null, conclusion: null }));
}

/** The ids of the repository's runs that are queued or in progress, of any workflow and trigger. */
export async function listUnfinishedRuns(clients: GitHubClients, signal: AbortSignal): Promise<number[]> {
  const ids: number[] = [];
  for (const status of ['queued', 'in_progress'] as const) {
    try {
      const runs = await clients.installation.paginate(withSignal(clients.installation.rest.actions.listWorkflowRunsForRepo, signal), {
        owner: clients.owner,
        repo: clients.repo,
        status,
        per_page: 100,
      });
      for (const run of runs) ids.push(run.id);
    } catch (err) {
      throw toGitHubError(err, `listing the ${status} runs`);
    }
  }
  return ids;
}
