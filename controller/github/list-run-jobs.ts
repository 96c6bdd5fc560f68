import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import { withSignal } from './with-signal.ts';

/** Every job of a workflow run, with its status, labels and steps (all pages). */
export async function listRunJobs(clients: GitHubClients, runId: number, signal: AbortSignal) {
  try {
    return await clients.installation.paginate(withSignal(clients.installation.rest.actions.listJobsForWorkflowRun, signal), {
      owner: clients.owner,
      repo: clients.repo,
      run_id: runId,
      per_page: 100,
    });
  } catch (err) {
    throw toGitHubError(err, `listing the jobs of run ${runId}`);
  }
}
