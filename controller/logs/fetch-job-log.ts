import type { GitHubOctokit } from '../github/create-github-clients.ts';

export interface JobLog {
  /** The text of every job of the run, in order (a `ports` run has one). */
  readonly text: string;
  /** The jobs' step names, in order (`builder: install port`...). */
  readonly steps: readonly string[];
}

/**
 * The log of a finished run as GitHub keeps it (for the retention period only):
 * `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`, then for each job
 * `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`, which answers 302 to a short-lived
 * download URL that octokit follows (without the token: it is another origin on GitHub).
 */
export async function fetchJobLog(octokit: GitHubOctokit, repo: { readonly owner: string; readonly repo: string }, runId: number, signal: AbortSignal): Promise<JobLog> {
  const { data } = await octokit.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: runId, filter: 'latest', per_page: 100, request: { signal } });
  const jobs = data.jobs.filter((job) => job.conclusion !== 'skipped');
  if (jobs.length === 0) throw new Error(`run ${runId} has no job that ran`);
  const parts: string[] = [];
  const steps: string[] = [];
  for (const job of jobs) {
    const log = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: job.id, request: { signal } });
    const text = typeof log.data === 'string' ? log.data : Buffer.from(log.data as ArrayBuffer).toString('utf8');
    parts.push(jobs.length === 1 ? text : `##[group]job ${job.name}\n${text}\n##[endgroup]`);
    for (const step of job.steps ?? []) if (step.conclusion !== 'skipped') steps.push(step.name);
  }
  return { text: parts.join('\n'), steps };
}
