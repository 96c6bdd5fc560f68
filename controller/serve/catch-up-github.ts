import type { Logger } from 'pino';
import type { CatchUpGitHub } from '../flows/catch-up-sweep.ts';
import type { GitHubClients } from '../github/create-github-clients.ts';
import type { DeliveryStore } from '../github/delivery-store.ts';
import { listQueuedJobs, listUnfinishedRuns } from '../github/list-queued-jobs.ts';
import { recoverMissedDeliveries } from '../github/recover-missed-deliveries.ts';

/** The catch-up sweep's questions, asked of the real GitHub through the App's clients. */
export function catchUpGitHub(clients: GitHubClients, deliveries: DeliveryStore, log: Logger, now: () => Date): CatchUpGitHub {
  return {
    recoverMissedDeliveries: (signal) => recoverMissedDeliveries({ app: clients.app, store: deliveries, log: log.child({ component: 'recovery' }), now }, signal),
    listUnfinishedRuns: (signal) => listUnfinishedRuns(clients, signal),
    listQueuedJobs: (runId, signal) => listQueuedJobs(clients, runId, signal),
  };
}
