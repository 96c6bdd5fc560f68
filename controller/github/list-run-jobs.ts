import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';

/** Every job of a workflow run, with its status, labels and steps (all pages). */
export async function listRunJobs(clients: GitHubClients, runId: number, signal: AbortSignal) {
  try {
    return await clients.installation.paginate(clients.installation.rest.actions.listJobsForWorkflowRun, {
      owner: clients.owner,
      repo: clients.repo,
      run_id: runId,
      per_page: 100,
      request: { signal },
    });
  } catch (err) {
    throw toGitHubError(err, `listing the jobs of run ${runId}`);
  }
}
