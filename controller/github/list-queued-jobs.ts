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

/** A workflow file and the trigger of the runs of it that can carry the farm's jobs. */
export interface FarmRunsOf {
  /** The file name under `.github/workflows/` (ports.yml, ports-pr.yml). */
  readonly workflow: string;
  /** `workflow_dispatch` (the controller's watchers and builders), `pull_request` (ports-pr.yml). */
  readonly event: string;
}

/**
 * The ids of the queued and in-progress runs of the given workflows and triggers. Never every run
 * of the repository: a pull request can add workflow files of its own whose jobs wait 24 hours for
 * a runner nobody serves, and the sweep asks for the jobs of each run listed here, so listing
 * those would let it spend the App's rate limit on them (one request per run per sweep).
 */
export async function listUnfinishedRuns(clients: GitHubClients, of: readonly FarmRunsOf[], signal: AbortSignal): Promise<number[]> {
  const ids: number[] = [];
  for (const { workflow, event } of of) {
    for (const status of ['queued', 'in_progress'] as const) {
      try {
        const runs = await clients.installation.paginate(withSignal(clients.installation.rest.actions.listWorkflowRuns, signal), {
          owner: clients.owner,
          repo: clients.repo,
          workflow_id: workflow,
          event,
          status,
          per_page: 100,
        });
        for (const run of runs) ids.push(run.id);
      } catch (err) {
        throw toGitHubError(err, `listing the ${status} ${event} runs of ${workflow}`);
      }
    }
  }
  return ids;
}
