import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.ts';
import { createGitHubClients, type GitHubClients } from '../github/create-github-clients.ts';
import { createOctokitRunGateway } from '../github/octokit-run-gateway.ts';
import type { RunGateway } from '../queue/run-gateway.ts';

export interface GitHubConnection {
  readonly installationId?: number;
  /** GitHub's advice is 1 s between writes; the demo against the double sets 0. */
  readonly writeSpacingMs?: number;
  /** The branch dispatched runs start from (default master). */
  readonly ref?: string;
  /** How often a cancel looks whether the run stopped. */
  readonly cancelPollMs?: number;
  readonly privateKey: string;
  readonly log: Logger;
}

/** The App's clients for the configured repository, and the gateway that dispatches and cancels the ports workflow's runs. */
export async function connectGitHub(config: Config, connection: GitHubConnection, signal: AbortSignal): Promise<{ readonly clients: GitHubClients; readonly gateway: RunGateway }> {
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
      log: log.child({ component: 'github' }),
    },
    signal,
  );
  const gateway = createOctokitRunGateway({
    clients,
    workflow: config.github.workflow,
    ref: connection.ref ?? 'master',
    log: log.child({ component: 'gateway' }),
    ...(connection.cancelPollMs === undefined ? {} : { cancelPollMs: connection.cancelPollMs }),
  });
  return { clients, gateway };
}
