import { z } from 'zod';
import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';

/** A user's permission on the repository as GitHub's `permission` field says it (maintain and triage are mapped to write and read by GitHub). */
export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** What the controller asks GitHub before it acts on a person's request (a manual full rebuild). */
export interface RepoAccess {
  /** The login's permission on the ports repository. */
  permissionOf(login: string, signal: AbortSignal): Promise<RepoPermission>;
  /** Whether `sha` is the default branch's head or one of its ancestors. */
  onDefaultBranch(sha: string, defaultBranch: string, signal: AbortSignal): Promise<boolean>;
}

const permissionSchema = z.object({ permission: z.string() });
const compareSchema = z.object({ status: z.enum(['diverged', 'ahead', 'behind', 'identical']) });

/**
 * RepoAccess on GitHub: `GET /repos/{owner}/{repo}/collaborators/{login}/permission` (kept for
 * `permissionTtlMs`, default 60 s: a revoked maintainer is refused within a minute) and
 * `GET /repos/{owner}/{repo}/compare/{sha}...{branch}` (the branch is `ahead` of or `identical`
 * to every commit on it).
 */
export function createOctokitRepoAccess(clients: Pick<GitHubClients, 'installation' | 'owner' | 'repo'>, options: { readonly permissionTtlMs?: number; readonly now?: () => number } = {}): RepoAccess {
  const { installation, owner, repo } = clients;
  const ttl = options.permissionTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const permissions = new Map<string, { readonly value: RepoPermission; readonly until: number }>();
  return {
    async permissionOf(login, signal) {
      const known = permissions.get(login);
      if (known !== undefined && known.until > now()) return known.value;
      let data: unknown;
      try {
        ({ data } = await installation.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { owner, repo, username: login, request: { signal } }));
      } catch (err) {
        const error = toGitHubError(err, `asking the permission of ${login} on ${owner}/${repo}`);
        // 404: no such user (or one GitHub hides): no permission at all.
        if (error.status === 404) return 'none';
        throw error;
      }
      const parsed = permissionSchema.parse(data).permission;
      const value: RepoPermission = parsed === 'admin' || parsed === 'maintain' || parsed === 'write' || parsed === 'triage' || parsed === 'read' ? parsed : 'none';
      if (permissions.size > 1_000) permissions.clear();
      permissions.set(login, { value, until: now() + ttl });
      return value;
    },
    async onDefaultBranch(sha, defaultBranch, signal) {
      if (!/^[0-9a-f]{40}$/.test(sha)) return false;
      let data: unknown;
      try {
        ({ data } = await installation.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${sha}...${defaultBranch}`, per_page: 1, request: { signal } }));
      } catch (err) {
        const error = toGitHubError(err, `comparing ${sha} with ${defaultBranch}`);
        // 404: a commit this repository does not have (a fork's).
        if (error.status === 404) return false;
        throw error;
      }
      const { status } = compareSchema.parse(data);
      return status === 'ahead' || status === 'identical';
    },
  };
}
