import type { Logger } from 'pino';
import { RequestError } from 'octokit';
import type { RunnerRegistrationConfig } from '../config/runner-registration-schema.ts';
import type { GitHubClients } from './create-github-clients.ts';
import { masterGroupProblems, pullRequestGroupProblems, type ExpectedGroup, type RunnerGroupFacts } from './verify-runner-group.ts';

/**
 * At start, with organisation runners: the master builds' runner group must keep every other
 * job off them (verify-runner-group.ts), or `serve` refuses to start with the setting and the
 * fix. `allowUnrestrictedGroup: true` starts anyway and says so as an error at every start.
 */
export async function checkRunnerGroups(clients: GitHubClients, registration: RunnerRegistrationConfig, expected: ExpectedGroup, log: Logger, signal: AbortSignal): Promise<void> {
  if (registration.scope !== 'organization') return;
  const org = expected.repository.split('/')[0] ?? '';
  const master = await readGroup(clients, org, registration.masterGroupId, 'masterGroupId', signal);
  const pullRequests = await readGroup(clients, org, registration.pullRequestGroupId, 'pullRequestGroupId', signal);
  const problems = [...masterGroupProblems(master, expected), ...pullRequestGroupProblems(pullRequests, registration.masterGroupId, expected)];
  for (const group of [master, pullRequests].filter((g) => !g.allowsPublicRepositories)) {
    // Not a hole, a stall: GitHub gives a public repository's jobs only to groups that allow public repositories.
    log.warn({ org, groupId: group.id, name: group.name }, 'runner group does not allow public repositories: if the ports repository is public, its jobs never reach these runners');
  }
  if (problems.length === 0) {
    log.info({ org, masterGroupId: master.id, pullRequestGroupId: pullRequests.id }, 'runner groups checked: the master group admits only the ports workflow on the dispatch branch of this repository');
    return;
  }
  if (registration.allowUnrestrictedGroup) {
    log.error({ org, problems }, 'RUNNER GROUPS ARE NOT RESTRICTED and github.runnerRegistration.allowUnrestrictedGroup is true: a pull request\'s job can take a farm runner');
    return;
  }
  throw new Error(`github.runnerRegistration: the runner groups do not keep other jobs off the farm's runners:\n- ${problems.join('\n- ')}\n(or set github.runnerRegistration.allowUnrestrictedGroup: true to start anyway, which is logged as an error)`);
}

async function readGroup(clients: GitHubClients, org: string, groupId: number, setting: string, signal: AbortSignal): Promise<RunnerGroupFacts> {
  const octokit = clients.installation;
  try {
    const { data: group } = await octokit.request('GET /orgs/{org}/actions/runner-groups/{runner_group_id}', { org, runner_group_id: groupId, request: { signal } });
    const repositoryIds: number[] = [];
    for (let page = 1; group.visibility === 'selected'; page += 1) {
      const { data } = await octokit.request('GET /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories', { org, runner_group_id: groupId, per_page: 100, page, request: { signal } });
      repositoryIds.push(...data.repositories.map((r) => Number(r.id)));
      if (data.repositories.length === 0 || repositoryIds.length >= data.total_count) break;
    }
    return {
      id: group.id,
      name: group.name,
      visibility: group.visibility,
      restrictedToWorkflows: group.restricted_to_workflows ?? false,
      selectedWorkflows: group.selected_workflows ?? [],
      allowsPublicRepositories: group.allows_public_repositories,
      repositoryIds,
    };
  } catch (error) {
    if (error instanceof RequestError && error.status === 403) {
      throw new Error(`github.runnerRegistration.${setting}: GitHub refused to show runner group ${groupId} of ${org} (403): the App needs the organisation permission "Self-hosted runners: read and write" (App settings → Permissions → Organization permissions), accepted by the organisation`, { cause: error });
    }
    if (error instanceof RequestError && error.status === 404) {
      throw new Error(`github.runnerRegistration.${setting}: ${org} has no runner group ${groupId} the App can see (404). Fix: the id from gh api orgs/${org}/actions/runner-groups`, { cause: error });
    }
    throw error;
  }
}
