import type { Octokit } from 'octokit';
import { RequestError } from 'octokit';
import { coerceError } from '../errors/coerce-error.ts';
import { GitHubError, isNotProcessed, toGitHubError } from '../github/github-error.ts';
import type { GitHubPause } from '../github/github-pause.ts';
import { networkFailureOf } from '../github/network-failure.ts';
import { withSignal } from '../github/with-signal.ts';
import { RunnerRegistryError, type JitConfig, type JitConfigRequest, type RegisteredRunner, type RunnerRegistry } from './runner-registry.ts';

/** Any octokit with the REST actions endpoints (`octokit`'s App client or `@octokit/rest` with plugins). */
export interface ActionsOctokit {
  readonly rest: Pick<Octokit['rest'], 'actions'>;
  readonly paginate: Octokit['paginate'];
}

/**
 * The runner registry on GitHub through octokit: the repository's self-hosted runners, or with
 * `organization: true` the owner organisation's (each registered into the runner group the
 * request names; listing and deleting then see the organisation's runners).
 */
export class GithubRunnerRegistry implements RunnerRegistry {
  readonly #octokit: ActionsOctokit;
  readonly #owner: string;
  readonly #repo: string;
  readonly #organization: boolean;
  readonly #pause: GitHubPause | null;

  /**
   * `pause`: registering waits out a pause GitHub asked for and asks again, instead of failing
   * the attempt and losing its booted VM (the lease's signal still ends the wait).
   */
  constructor(options: { readonly octokit: ActionsOctokit; readonly repo: string; readonly organization?: boolean; readonly pause?: GitHubPause }) {
    const [owner, repo] = options.repo.split('/');
    if (owner === undefined || repo === undefined || owner === '' || repo === '') {
      throw new RunnerRegistryError(`repo "${options.repo}" is not owner/name, e.g. macports/macports-ports`, { retryable: false });
    }
    this.#octokit = options.octokit;
    this.#owner = owner;
    this.#repo = repo;
    this.#organization = options.organization ?? false;
    this.#pause = options.pause ?? null;
  }

  async generateJitConfig(request: JitConfigRequest, signal: AbortSignal): Promise<JitConfig> {
    for (;;) {
      try {
        return await this.#generateJitConfig(request, signal);
      } catch (error) {
        // A refused or unsent request registered nothing: the same name is asked for again.
        if (this.#pause === null || signal.aborted || !isNotProcessed(error)) throw error;
        await this.#pause.waitOut(signal).catch(() => { throw error; });
      }
    }
  }

  async #generateJitConfig(request: JitConfigRequest, signal: AbortSignal): Promise<JitConfig> {
    try {
      const body = { name: request.name, labels: [...request.labels], runner_group_id: request.runnerGroupId, work_folder: request.workFolder, request: { signal } };
      const actions = this.#octokit.rest.actions;
      const response = this.#organization
        ? await actions.generateRunnerJitconfigForOrg({ org: this.#owner, ...body })
        : await actions.generateRunnerJitconfigForRepo({ owner: this.#owner, repo: this.#repo, ...body });
      return { runner: toRunner(response.data.runner), encodedJitConfig: response.data.encoded_jit_config };
    } catch (error) {
      throw wrap(error, `generate-jitconfig for runner ${request.name}`);
    }
  }

  async listRunners(signal: AbortSignal): Promise<readonly RegisteredRunner[]> {
    try {
      const actions = this.#octokit.rest.actions;
      const runners = this.#organization
        ? await this.#octokit.paginate(withSignal(actions.listSelfHostedRunnersForOrg, signal), { org: this.#owner, per_page: 100 })
        : await this.#octokit.paginate(withSignal(actions.listSelfHostedRunnersForRepo, signal), { owner: this.#owner, repo: this.#repo, per_page: 100 });
      return runners.map(toRunner);
    } catch (error) {
      throw wrap(error, 'list runners');
    }
  }

  async deleteRunner(id: number, signal: AbortSignal): Promise<void> {
    try {
      const actions = this.#octokit.rest.actions;
      if (this.#organization) await actions.deleteSelfHostedRunnerFromOrg({ org: this.#owner, runner_id: id, request: { signal } });
      else await actions.deleteSelfHostedRunnerFromRepo({ owner: this.#owner, repo: this.#repo, runner_id: id, request: { signal } });
    } catch (error) {
      if (error instanceof RequestError && error.status === 404) return;
      throw wrap(error, `delete runner ${id}`);
    }
  }
}

interface ApiRunner {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly busy: boolean;
  readonly labels: readonly { readonly name: string }[];
}

function toRunner(runner: ApiRunner): RegisteredRunner {
  return {
    id: runner.id,
    name: runner.name,
    status: runner.status === 'online' ? 'online' : 'offline',
    busy: runner.busy,
    labels: runner.labels.map((l) => l.name),
  };
}

function wrap(error: unknown, what: string): RunnerRegistryError {
  const cause = coerceError(error);
  // No answer at all (octokit says 500): the network, not GitHub; status 0, never counted as a 5xx.
  const network = networkFailureOf(error);
  if (network !== null) return new RunnerRegistryError(toGitHubError(error, `${what} failed`).message, { retryable: true, status: 0, cause });
  if (error instanceof RequestError) {
    // 409: the name exists; 4xx other than rate limits: our request is wrong. 5xx, 403/429 rate limits: try later.
    const retryable = error.status >= 500 || error.status === 429 || (error.status === 403 && /rate limit/i.test(error.message));
    return new RunnerRegistryError(`${what} failed: GitHub answered ${error.status}`, { retryable, status: error.status, cause });
  }
  if (cause.name === 'AbortError') return new RunnerRegistryError(`${what} was aborted`, { retryable: false, cause });
  if (cause instanceof GitHubError) return new RunnerRegistryError(`${what} failed: ${cause.message}`, { retryable: cause.retryable, cause });
  return new RunnerRegistryError(`${what} failed: GitHub did not answer (see cause)`, { retryable: true, cause });
}
