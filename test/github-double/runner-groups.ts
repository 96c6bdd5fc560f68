import type { RunRecord } from './double-records.ts';

/**
 * The organisation side of self-hosted runners, as GitHub enforces it: organisation runners
 * are registered into a runner group (`POST /orgs/{org}/actions/runners/generate-jitconfig`
 * with `runner_group_id`), and a queued job goes to such a runner only when its labels are a
 * superset of the job's `runs-on` AND the group admits the job: the job's repository (visibility
 * `all`, or `selected` and listed, or `private` and the repository private; a public repository
 * only with `allows_public_repositories`) and, when `restricted_to_workflows`, the job's workflow
 * ref (`<owner>/<repo>/.github/workflows/<file>@<ref>`) is one of `selected_workflows`. A
 * `pull_request` run's ref is `refs/pull/<n>/merge`, so a PR (even one that edits ports.yml)
 * never matches `ports.yml@refs/heads/master`. Entries are compared literally (GitHub's docs
 * ask for a ref, tag or full SHA; a wildcard the double does not honour is stricter, never
 * friendlier). The App needs the organisation permission `organization_self_hosted_runners`
 * (403 "Resource not accessible by integration" without it).
 */
export interface RunnerGroupSpec {
  readonly id: number;
  readonly name: string;
  readonly visibility: 'all' | 'selected' | 'private';
  /** Repository ids that may use the group when `visibility` is `selected`. */
  readonly selectedRepositoryIds?: readonly number[];
  readonly allowsPublicRepositories: boolean;
  readonly restrictedToWorkflows: boolean;
  /** `<owner>/<repo>/.github/workflows/<file>@<ref>`; a ref is a branch (`master` or `refs/heads/master`), tag or full SHA. */
  readonly selectedWorkflows?: readonly string[];
}

export interface OrganizationSpec {
  /** The organisation's login: the ports repository's owner. */
  readonly login: string;
  /** The App's `organization_self_hosted_runners` permission. */
  readonly selfHostedRunnersPermission: 'write' | 'read' | 'none';
  /** Groups besides the organisation's Default group (id 1: visible to all repositories, private ones only, no workflow restriction). */
  readonly runnerGroups: readonly RunnerGroupSpec[];
}

/** What the double knows of a job when it decides whether a runner may take it. */
export interface JobOrigin {
  readonly repositoryId: number;
  readonly repositoryPublic: boolean;
  readonly workflowRef: string;
}

export const DEFAULT_GROUP: RunnerGroupSpec = { id: 1, name: 'Default', visibility: 'all', allowsPublicRepositories: false, restrictedToWorkflows: false };

/** `<owner>/<repo>/.github/workflows/<file>@<ref>` of a run, as GitHub matches it against `selected_workflows`. */
export function workflowRefOf(run: RunRecord, repositoryFullName: string): string {
  const repo = run.foreignRepository?.fullName ?? repositoryFullName;
  const event = (run.context.github as { readonly event?: { readonly number?: unknown } } | undefined)?.event;
  // A pull_request run runs the PR's merge commit: never a branch ref. The number is known for the PRs the double opened.
  const ref = run.event === 'pull_request' ? `refs/pull/${typeof event?.number === 'number' ? event.number : 'unknown'}/merge` : `refs/heads/${run.headBranch}`;
  return `${repo}/.github/workflows/${run.workflowFile}@${ref}`;
}

/** Whether `entry` (one of `selected_workflows`) names exactly this workflow ref: same file, and the same branch (short or full form). */
export function workflowEntryMatches(entry: string, workflowRef: string): boolean {
  const at = entry.lastIndexOf('@');
  const jobAt = workflowRef.lastIndexOf('@');
  if (at < 0 || jobAt < 0 || entry.slice(0, at) !== workflowRef.slice(0, jobAt)) return false;
  const wanted = entry.slice(at + 1);
  const ref = workflowRef.slice(jobAt + 1);
  return wanted === ref || (ref.startsWith('refs/heads/') && `refs/heads/${wanted}` === ref);
}

/** Pure: whether a runner of `group` may take a job of this origin. */
export function groupAdmits(group: RunnerGroupSpec, job: JobOrigin): boolean {
  if (job.repositoryPublic && !group.allowsPublicRepositories) return false;
  if (group.visibility === 'selected' && !(group.selectedRepositoryIds ?? []).includes(job.repositoryId)) return false;
  if (group.visibility === 'private' && job.repositoryPublic) return false;
  if (group.restrictedToWorkflows && !(group.selectedWorkflows ?? []).some((entry) => workflowEntryMatches(entry, job.workflowRef))) return false;
  return true;
}

export interface OrgAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly message?: string;
}

/** The organisation's runner groups in the double: permission checks, the two group endpoints, and the assignment rule. */
export class DoubleRunnerGroups {
  readonly #org: OrganizationSpec | undefined;
  readonly #groups: ReadonlyMap<number, RunnerGroupSpec>;
  readonly #apiUrl: () => string;
  readonly #repository: (id: number) => Record<string, unknown>;

  constructor(org: OrganizationSpec | undefined, options: { readonly apiUrl: () => string; readonly repository: (id: number) => Record<string, unknown> }) {
    this.#org = org;
    this.#groups = new Map([DEFAULT_GROUP, ...(org?.runnerGroups ?? [])].map((g) => [g.id, g]));
    this.#apiUrl = options.apiUrl;
    this.#repository = options.repository;
  }

  /** Why an organisation runner call is refused (unknown organisation, no permission, unknown group), or undefined. */
  refuse(org: string, need: 'read' | 'write', groupId?: number): OrgAnswer | undefined {
    if (this.#org === undefined || org.toLowerCase() !== this.#org.login.toLowerCase()) return { status: 404, message: 'Not Found' };
    const permission = this.#org.selfHostedRunnersPermission;
    if (permission === 'none' || (need === 'write' && permission === 'read')) return { status: 403, message: 'Resource not accessible by integration' };
    if (groupId !== undefined && !this.#groups.has(groupId)) return { status: 404, message: 'Not Found - runner group not found' };
    return undefined;
  }

  /** `get-self-hosted-runner-group-for-org` and `list-repo-access-to-self-hosted-runner-group-in-org`. */
  answer(operation: string, params: Readonly<Record<string, string>>): OrgAnswer {
    const groupId = Number(params.runner_group_id);
    const refused = this.refuse(params.org ?? '', 'read', groupId);
    if (refused !== undefined) return refused;
    const group = this.#groups.get(groupId) ?? DEFAULT_GROUP;
    if (operation === 'actions/list-repo-access-to-self-hosted-runner-group-in-org') {
      const ids = group.visibility === 'selected' ? (group.selectedRepositoryIds ?? []) : [];
      return { status: 200, body: { total_count: ids.length, repositories: ids.map((id) => this.#repository(id)) } };
    }
    const base = `${this.#apiUrl()}/orgs/${this.#org?.login ?? ''}/actions/runner-groups/${group.id}`;
    return {
      status: 200,
      body: {
        id: group.id,
        name: group.name,
        visibility: group.visibility,
        default: group.id === DEFAULT_GROUP.id,
        ...(group.visibility === 'selected' ? { selected_repositories_url: `${base}/repositories` } : {}),
        runners_url: `${base}/runners`,
        inherited: false,
        allows_public_repositories: group.allowsPublicRepositories,
        workflow_restrictions_read_only: false,
        restricted_to_workflows: group.restrictedToWorkflows,
        selected_workflows: [...(group.selectedWorkflows ?? [])],
      },
    };
  }

  /** Whether a runner in group `groupId` (undefined: a repository runner, which any job of the repository may take) may take a job of this origin. */
  admits(groupId: number | undefined, job: () => JobOrigin): boolean {
    if (groupId === undefined) return true;
    const group = this.#groups.get(groupId);
    return group !== undefined && groupAdmits(group, job());
  }
}
