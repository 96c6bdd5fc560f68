import type { RepoAccess, RepoPermission } from './repo-access.ts';
import { verifyDispatchedRun, type FarmIdentity, type RunIdentity } from './verify-run-identity.ts';

export type RebuildVerdict = { readonly allowed: true; readonly actor: string } | { readonly allowed: false; readonly reason: string; readonly why: string };

/** Permissions that may ask for a full rebuild: those that can push to the repository anyway. */
const MAY_REBUILD: ReadonlySet<RepoPermission> = new Set(['admin', 'maintain', 'write']);

/**
 * Whether a run asking for a full rebuild may have one. A full rebuild builds every port on a
 * platform (days of machine time), so only someone who could push to the repository may ask, and
 * only for a commit of the default branch: the run must be a `workflow_dispatch` of this
 * repository's ports workflow on the default branch (a PR's run, a push or schedule run, another
 * workflow named alike are not), its triggering actor must be in `rebuildActors` or have write,
 * maintain or admin permission (GitHub is asked), and its commit must be the default branch's
 * head or an ancestor of it (GitHub compares).
 */
export async function authorizeManualRebuild(
  run: RunIdentity,
  farm: FarmIdentity,
  deps: { readonly access: RepoAccess; readonly rebuildActors: readonly string[] },
  signal: AbortSignal,
): Promise<RebuildVerdict> {
  const dispatched = verifyDispatchedRun(run, farm);
  if (!dispatched.accepted) return { allowed: false, reason: `rebuild-${dispatched.reason}`, why: dispatched.why };
  const actor = run.triggeringActor ?? run.actor;
  if (actor === null) return { allowed: false, reason: 'rebuild-actor-not-permitted', why: `run ${run.runId} names no actor` };
  if (!deps.rebuildActors.includes(actor)) {
    const permission = await deps.access.permissionOf(actor, signal);
    if (!MAY_REBUILD.has(permission)) {
      return { allowed: false, reason: 'rebuild-actor-not-permitted', why: `${actor} has ${permission} permission on ${farm.repository}; a full rebuild needs write, maintain or admin (or github.rebuildActors)` };
    }
  }
  if (!(await deps.access.onDefaultBranch(run.headSha, farm.defaultBranch, signal))) {
    return { allowed: false, reason: 'rebuild-commit-not-on-default-branch', why: `commit ${run.headSha} of run ${run.runId} is not on ${farm.defaultBranch}` };
  }
  return { allowed: true, actor };
}
