import type { Logger } from 'pino';
import type { CatchUpGitHub } from '../flows/catch-up-sweep.ts';
import type { GitHubClients } from '../github/create-github-clients.ts';
import type { DeliveryStore } from '../github/delivery-store.ts';
import type { JobGate } from '../github/job-gate.ts';
import { listQueuedJobs, listUnfinishedRuns } from '../github/list-queued-jobs.ts';
import type { FarmIdentity } from '../github/verify-run-identity.ts';
import { buildIdFromLabel } from '../model/build-id.ts';
import { recoverMissedDeliveries } from '../github/recover-missed-deliveries.ts';

/**
 * The catch-up sweep's questions, asked of the real GitHub through the App's clients. The
 * unfinished runs asked about are those that can carry the farm's jobs: dispatches of the ports
 * workflow and pull_request runs of the pull-request workflow (a PR's own workflow files are
 * never listed, so they cost no request). Those include anyone's (a pull request's, with any
 * labels, and a PR can edit ports-pr.yml): a listed
 * job that carries a portfarm build label is handed on only when `jobs` proves it is that
 * build's (job-gate.ts); jobs without the label pass (the runner manager ignores them).
 */
export function catchUpGitHub(clients: GitHubClients, farm: Pick<FarmIdentity, 'workflow' | 'pullRequestWorkflow'>, deliveries: DeliveryStore, jobs: Pick<JobGate, 'admits'>, log: Logger, now: () => Date): CatchUpGitHub {
  const farmRuns = [{ workflow: farm.workflow, event: 'workflow_dispatch' }, { workflow: farm.pullRequestWorkflow, event: 'pull_request' }];
  return {
    recoverMissedDeliveries: (signal) => recoverMissedDeliveries({ app: clients.app, store: deliveries, log: log.child({ component: 'recovery' }), now }, signal),
    listUnfinishedRuns: (signal) => listUnfinishedRuns(clients, farmRuns, signal),
    listQueuedJobs: async (runId, signal) => {
      const admitted = [];
      for (const job of await listQueuedJobs(clients, runId, signal)) {
        const buildId = job.labels.map(buildIdFromLabel).find((b) => b !== undefined);
        if (buildId !== undefined && !(await jobs.admits({ buildId, jobId: job.jobId, runId: job.runId, runAttempt: job.runAttempt, repositoryId: null, repository: null }, signal))) continue;
        admitted.push(job);
      }
      return admitted;
    },
  };
}
