/**
 * Pure: whether the organisation runner group the master builds' runners are registered into
 * keeps every other job off them. GitHub gives an idle runner any queued job whose `runs-on`
 * labels it has, so labels prove nothing; only the group's policy does: restricted to exactly
 * `<repo>/.github/workflows/<workflow>@refs/heads/<branch>` (a `pull_request` run's ref is
 * `refs/pull/<n>/merge`, so no pull request matches, even one that edits the workflow), and
 * visible to the ports repository alone (no other repository's workflow can use it).
 */
export interface RunnerGroupFacts {
  readonly id: number;
  readonly name: string;
  readonly visibility: string;
  readonly restrictedToWorkflows: boolean;
  readonly selectedWorkflows: readonly string[];
  readonly allowsPublicRepositories: boolean;
  /** The repositories a `selected` group is visible to (ids). */
  readonly repositoryIds: readonly number[];
}

export interface ExpectedGroup {
  /** `owner/name` of the ports repository, and its id. */
  readonly repository: string;
  readonly repositoryId: number;
  readonly workflow: string;
  /** The branch the controller dispatches on. */
  readonly branch: string;
}

/** The one workflow entry the master group may allow; GitHub's docs write a branch short (`@master`) or in full (`@refs/heads/master`). */
export function masterWorkflowEntries(expected: ExpectedGroup): readonly string[] {
  const path = `${expected.repository}/.github/workflows/${expected.workflow}`;
  return [`${path}@refs/heads/${expected.branch}`, `${path}@${expected.branch}`];
}

/** What is wrong with the master builds' group, each naming the setting and the fix; empty when it is as it must be. */
export function masterGroupProblems(group: RunnerGroupFacts, expected: ExpectedGroup): string[] {
  const problems: string[] = [];
  const [entry] = masterWorkflowEntries(expected);
  const where = `runner group ${group.id} ("${group.name}")`;
  if (!group.restrictedToWorkflows) {
    problems.push(`${where} is not restricted to workflows: any workflow of a repository that can use it, a pull request's included, gets its runners. Fix: organisation Settings → Actions → Runner groups → "${group.name}" → Workflow access: Selected workflows, only ${entry ?? ''}`);
  } else {
    const allowed = masterWorkflowEntries(expected);
    const extra = group.selectedWorkflows.filter((w) => !allowed.includes(w));
    if (extra.length > 0 || group.selectedWorkflows.length !== 1) {
      problems.push(`${where} allows the workflows ${JSON.stringify(group.selectedWorkflows)}; it must allow exactly one, ${entry ?? ''} (no other file, branch, tag or wildcard). Fix: set Selected workflows to that one entry`);
    }
  }
  if (group.visibility !== 'selected' || group.repositoryIds.length !== 1 || group.repositoryIds[0] !== expected.repositoryId) {
    const seen = group.visibility === 'selected' ? `the repositories ${JSON.stringify(group.repositoryIds)}` : `visibility "${group.visibility}"`;
    problems.push(`${where} is visible to ${seen}; it must be visible to ${expected.repository} (id ${expected.repositoryId}) alone. Fix: Repository access: Selected repositories, only ${expected.repository}`);
  }
  return problems;
}

/** What is wrong with the pull-request builds' group: it must be another group than the master one, visible to the ports repository alone. */
export function pullRequestGroupProblems(group: RunnerGroupFacts, masterGroupId: number, expected: ExpectedGroup): string[] {
  const where = `runner group ${group.id} ("${group.name}")`;
  if (group.id === masterGroupId) return [`github.runnerRegistration.pullRequestGroupId is the master builds' group ${masterGroupId}; pull requests' runners need a group of their own (the master group admits only ports.yml). Fix: create a second group and set its id`];
  if (group.visibility !== 'selected' || group.repositoryIds.length !== 1 || group.repositoryIds[0] !== expected.repositoryId) {
    return [`${where} (pull-request builds) must be visible to ${expected.repository} (id ${expected.repositoryId}) alone, so no other repository's jobs take its runners. Fix: Repository access: Selected repositories, only ${expected.repository}`];
  }
  return [];
}
