import { UserError } from '../errors/user-error.ts';
import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import type { FarmIdentity } from './verify-run-identity.ts';

/**
 * What the controller holds every run against: the repository's id (`GET /repos/{owner}/{repo}`;
 * when `github.repositoryId` is configured GitHub must agree, else serve stops naming both), the
 * branch the controller dispatches on (default: the repository's default branch) and the App's
 * slug (`GET /app`), whose bot user `<slug>[bot]` triggers every run the controller dispatches.
 */
export async function learnFarmIdentity(
  clients: Pick<GitHubClients, 'app' | 'installation' | 'owner' | 'repo'>,
  expected: { readonly workflow: string; readonly pullRequestWorkflow: string; readonly branch?: string; readonly repositoryId?: number },
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
  if (expected.repositoryId !== undefined && expected.repositoryId !== repository.id) {
    throw new UserError(`github.repositoryId is ${expected.repositoryId}, but GitHub says ${repository.full_name} has id ${repository.id}; set github.repositoryId: ${repository.id}`);
  }
  return {
    repositoryId: repository.id,
    repository: repository.full_name,
    defaultBranch: expected.branch ?? repository.default_branch,
    workflow: expected.workflow,
    pullRequestWorkflow: expected.pullRequestWorkflow,
    appBot: `${slug}[bot]`,
  };
}
