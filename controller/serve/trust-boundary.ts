import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.ts';
import type { GitHubClients } from '../github/create-github-clients.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import type { FarmEvents } from '../github/farm-events.ts';
import { guardFarmEvents } from '../github/guard-farm-events.ts';
import { JobGate } from '../github/job-gate.ts';
import { createOctokitRepoAccess } from '../github/repo-access.ts';
import { RunIdentityLookup } from '../github/run-identity-lookup.ts';
import type { FarmIdentity } from '../github/verify-run-identity.ts';
import type { BuildId } from '../model/build-id.ts';
import type { ReorderService } from '../queue/reorder-service.ts';

export interface TrustBoundary {
  /** Whether a job may move the farm (the catch-up sweep asks it too). */
  readonly jobGate: JobGate;
  /** The flows behind the boundary: a run moves a build only as its recorded run, a job gets a VM only as its build's, a full rebuild needs a writer's dispatch. */
  guard(flows: FarmEvents): FarmEvents;
}

/** The controller's trust boundary, built from who the farm is (learned from GitHub at start) and what the queue recorded. */
export function createTrustBoundary(
  config: Config,
  parts: { readonly reorder: Pick<ReorderService, 'describeBuild'>; readonly identity: FarmIdentity; readonly clients: GitHubClients; readonly rejections: EventRejections; readonly log: Logger },
): TrustBoundary {
  const { reorder, identity, clients, rejections } = parts;
  // The run id recorded for a build this controller dispatched (null: answer not known yet; undefined: not its build).
  const recordedRunOf = (buildId: BuildId): number | null | undefined => {
    const entry = reorder.describeBuild(buildId);
    return entry === undefined ? undefined : entry.runId;
  };
  const jobGate = new JobGate({ farm: identity, recordedRunOf, runs: new RunIdentityLookup(clients), rejections });
  return {
    jobGate,
    guard: (flows) =>
      guardFarmEvents(flows, { farm: identity, recordedRunOf, jobs: jobGate, access: createOctokitRepoAccess(clients), rebuildActors: config.github.rebuildActors, rejections, log: parts.log }),
  };
}
