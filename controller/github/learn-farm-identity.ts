import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import type { FarmIdentity } from './verify-run-identity.ts';

/**
 * What the controller holds every run against, asked of GitHub at start: the repository's id
 * and default branch (`GET /repos/{owner}/{repo}`) and the App's slug (`GET /app`), whose bot
 * user `<slug>[bot]` triggers every run the controller dispatches.
 */
export async function learnFarmIdentity(
  clients: Pick<GitHubClients, 'app' | 'installation' | 'owner' | 'repo'>,
  workflows: { readonly workflow: string; readonly pullRequestWorkflow: string },
  signal: AbortSignal,
): Promise<FarmIdentity> {
  const { owner, repo } = clients;
  let repository;
  try {
    ({ data: repository } = await clients.installation.rest.repos.get({ owner, repo, request: { signal } }));
  } catch (err) {
    throw toGitHubError(err, `reading ${owner}/${repo} (its id and default branch; is the App installed there?)`);
  }
  let slug: string | undefined;
  try {
    const { data: app } = await clients.app.rest.apps.getAuthenticated({ request: { signal } });
    slug = app?.slug;
  } catch (err) {
    throw toGitHubError(err, 'reading the App (GET /app) to learn its bot user');
  }
  if (slug === undefined || slug === '') throw new Error('GET /app answered without a slug: cannot tell which runs the App triggered');
  return {
    repositoryId: repository.id,
    repository: repository.full_name,
    defaultBranch: repository.default_branch,
    workflow: workflows.workflow,
    pullRequestWorkflow: workflows.pullRequestWorkflow,
    appBot: `${slug}[bot]`,
  };
}
