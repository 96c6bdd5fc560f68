import type { Logger } from 'pino';
import type { BackendName, Config } from '../config/config-schema.ts';
import type { GitHubClients } from '../github/create-github-clients.ts';
import type { ImageRolloutService } from '../images/image-rollout-service.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';
import { githubPauseOf } from '../github/github-pause.ts';
import { GithubRunnerRegistry } from '../runners/github-runner-registry.ts';
import { recordedRunOf } from '../runners/job-identity.ts';
import { RunnerManager, type RunnerManagerOptions } from '../runners/runner-manager.ts';
import { runnerOptionsFromConfig } from './runner-options-from-config.ts';
import type { StartControllerOptions } from './start-controller-options.ts';

export interface RunnerManagerSources {
  readonly backends: Readonly<Partial<Record<BackendName, VmBackend>>>;
  /** The caller's (the demo's, a test's) overrides of the config's runners: section. */
  readonly overrides: StartControllerOptions['runners'];
  readonly clients: GitHubClients;
  readonly reorder: Pick<ReorderService, 'describeBuild'>;
  readonly images: Pick<ImageRolloutService, 'imageFor'>;
  /** The VM-teardown flow (distfile collection), with a build cache only. */
  readonly beforeDestroy: RunnerManagerOptions['beforeDestroy'] | null;
  /** The no-runner flow. */
  readonly onBuildFailed: NonNullable<RunnerManagerOptions['onBuildFailed']>;
  /** The runner-taken flow: the run whose job took a farm runner is cancelled. */
  readonly onRunnerTaken: NonNullable<RunnerManagerOptions['onRunnerTaken']>;
  /** The trust boundary's refusal counter: job events that are not their build's own are counted there. */
  readonly rejections: RunnerManagerOptions['rejections'];
  readonly log: Logger;
}

/** The runner manager of the configured platforms: JIT runners registered with the repository (or its organisation's runner groups), VMs from each platform's image rollout. */
export function createRunnerManager(config: Config, sources: RunnerManagerSources): RunnerManager {
  const { reorder, images, beforeDestroy } = sources;
  const registration = config.github.runnerRegistration;
  return new RunnerManager({
    platforms: config.platforms,
    backends: sources.backends,
    // A rate limit met while registering is waited out with the VM kept (github-pause.ts).
    registry: new GithubRunnerRegistry({ octokit: sources.clients.installation, repo: config.github.repo, organization: registration.scope === 'organization', pause: githubPauseOf(sources.clients.budget, sources.clients.clock) }),
    // Organisation runners: master builds into the group restricted to ports.yml, PR builds into their own.
    ...(registration.scope === 'organization' ? { runnerGroupId: registration.masterGroupId, pullRequestRunnerGroupId: registration.pullRequestGroupId } : {}),
    logger: sources.log,
    // A job gets a VM only as its build's recorded run (job-identity.ts); refusals are counted.
    recordedRunOf: (buildId) => recordedRunOf(buildId, (id) => reorder.describeBuild(id)?.runId ?? null),
    rejections: sources.rejections,
    // The config's runners: section, unless the caller (the demo, a test) overrides a value.
    ...runnerOptionsFromConfig(config.runners),
    ...sources.overrides,
    portOf: (buildId) => reorder.describeBuild(buildId)?.port ?? null,
    // Each new VM: the platform's pinned/current image, or the canary for its share (stable per build id).
    imageFor: (platform, buildId) => images.imageFor(platform, buildId),
    ...(beforeDestroy === null || beforeDestroy === undefined ? {} : { beforeDestroy }),
    onBuildFailed: sources.onBuildFailed,
    onRunnerTaken: sources.onRunnerTaken,
  });
}
