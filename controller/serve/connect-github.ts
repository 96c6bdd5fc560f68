import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.ts';
import { checkRunnerGroups } from '../github/check-runner-groups.ts';
import type { ApiClock } from '../github/api-clock.ts';
import { createGitHubClients, type GitHubClients } from '../github/create-github-clients.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import { learnFarmIdentity } from '../github/learn-farm-identity.ts';
import { createOctokitRunGateway } from '../github/octokit-run-gateway.ts';
import type { FarmIdentity } from '../github/verify-run-identity.ts';
import type { RunGateway } from '../queue/run-gateway.ts';

export interface GitHubConnection {
  readonly installationId?: number;
  /** GitHub's advice is 1 s between writes; the demo against the double sets 0. */
  readonly writeSpacingMs?: number;
  /** What rate-limit waits are measured on (default the wall clock). */
  readonly apiClock?: ApiClock;
  /** The branch dispatched runs start from (default master). */
  readonly ref?: string;
  /** How often a cancel looks whether the run stopped. */
  readonly cancelPollMs?: number;
  readonly privateKey: string;
  /** The repository's id as configured (`github.repositoryId`): GitHub must agree, or serve does not start. */
  readonly repositoryId?: number;
  /** Where runs the gateway lists and refuses (not the farm's) are counted. */
  readonly rejections: EventRejections;
  readonly log: Logger;
}

/**
 * The App's clients for the configured repository, what every run and job is held against (the
 * repository's id and default branch, the App's bot: asked of GitHub here), and the gateway that
 * dispatches and cancels the ports workflow's runs.
 */
export async function connectGitHub(config: Config, connection: GitHubConnection, signal: AbortSignal): Promise<{ readonly clients: GitHubClients; readonly gateway: RunGateway; readonly farm: FarmIdentity }> {
  const { log } = connection;
  const [owner = '', repo = ''] = config.github.repo.split('/');
  const clients = await createGitHubClients(
    {
      appId: config.github.appId,
      privateKey: connection.privateKey,
      apiUrl: config.github.apiUrl,
      owner,
      repo,
      ...(connection.installationId === undefined ? {} : { installationId: connection.installationId }),
      ...(connection.writeSpacingMs === undefined ? {} : { writeSpacingMs: connection.writeSpacingMs }),
      ...(connection.apiClock === undefined ? {} : { clock: connection.apiClock }),
      log: log.child({ component: 'github' }),
    },
    signal,
  );
  const farm = await learnFarmIdentity(
    clients,
    {
      workflow: config.github.workflow,
      pullRequestWorkflow: config.github.pullRequestWorkflow,
      branch: connection.ref ?? 'master',
      ...(connection.repositoryId === undefined ? {} : { repositoryId: connection.repositoryId }),
    },
    signal,
  );
  // Organisation runners: refuse to start unless the master group admits only ports.yml on the dispatch branch of this repository.
  const expectedGroup = { repository: farm.repository, repositoryId: farm.repositoryId, workflow: config.github.workflow, branch: farm.defaultBranch };
  await checkRunnerGroups(clients, config.github.runnerRegistration, expectedGroup, log.child({ component: 'trust' }), signal);
  const gateway = createOctokitRunGateway({
    clients,
    farm,
    rejections: connection.rejections,
    workflow: config.github.workflow,
    ref: connection.ref ?? 'master',
    log: log.child({ component: 'gateway' }),
    clock: clients.clock,
    ...(connection.cancelPollMs === undefined ? {} : { cancelPollMs: connection.cancelPollMs }),
  });
  return { clients, gateway, farm };
}
