import type { Logger } from 'pino';
import { buildIdFromRunName, isBuildId } from '../model/build-id.ts';
import { wallClock, type ApiClock } from './api-clock.ts';
import type { DispatchRequest, RunGateway, RunStatus, RunSummary } from '../queue/run-gateway.ts';
import type { GitHubClients } from './create-github-clients.ts';
import type { EventRejections } from './event-rejections.ts';
import { GitHubError, toGitHubError } from './github-error.ts';
import { runIdentityOf } from './run-identity-lookup.ts';
import { verifyBuildRun, verifyDispatchedRun, type FarmIdentity } from './verify-run-identity.ts';
import { withSignal } from './with-signal.ts';

export interface OctokitRunGatewayOptions {
  readonly clients: GitHubClients;
  /** The workflow file, `github.workflow` (ports.yml). */
  readonly workflow: string;
  /** The branch the workflow runs from (the repository's default branch). */
  readonly ref: string;
  /** How often `cancel` looks whether the run stopped (default 2 s, on `clock`). */
  readonly cancelPollMs?: number;
  /** After this long (on `clock`) a run that ignored `cancel` is force-cancelled (default 30 s). */
  readonly forceCancelAfterMs?: number;
  /** What the cancel's polls and deadline are measured on: GitHub's time (default the wall clock; a compressed one in benchmarks). */
  readonly clock?: ApiClock;
  /** The repository, branch and App every listed run is held against (learn-farm-identity.ts). */
  readonly farm: FarmIdentity;
  /** Where listed runs that claim a build and are not the farm's are counted. */
  readonly rejections?: Pick<EventRejections, 'reject'>;
  readonly log: Logger;
}

/** The `ports` workflow's inputs for one build (at most 25; all strings, as Actions passes them). */
export function dispatchInputs(request: DispatchRequest): Record<string, string> {
  const inputs: Record<string, string> = {
    platform: request.platform,
    portname: request.port ?? '',
    ports_sha: request.portsRevision,
    build_id: request.buildId,
    force: String(request.force),
    portlist: request.portlist?.join(' ') ?? '',
  };
  // Lane 0 sends no input: its group is the one ports.yml always had, so a platform with one
  // builder dispatches exactly as before (and a ports.yml pinned before lanes accepts it).
  if (request.lane > 0) inputs.lane = String(request.lane);
  return inputs;
}

function runStatus(status: string | null): RunStatus {
  return status === 'in_progress' || status === 'completed' ? status : 'queued';
}

/**
 * The RunGateway on GitHub: `workflow_dispatch` with `return_run_details` (the run id comes
 * back in the answer), cancel with a force-cancel when the run ignores it, and the runs of
 * the workflow listed by creation time and matched to build ids by their run name.
 */
export function createOctokitRunGateway(options: OctokitRunGatewayOptions): RunGateway {
  const { installation: octokit, owner, repo } = options.clients;
  const pollMs = options.cancelPollMs ?? 2000;
  const forceAfterMs = options.forceCancelAfterMs ?? 30_000;
  const clock = options.clock ?? wallClock;

  const getRun = async (runId: number, signal: AbortSignal): Promise<{ status: string | null; conclusion: string | null }> => {
    try {
      const { data } = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId, request: { signal } });
      return { status: data.status, conclusion: data.conclusion };
    } catch (err) {
      throw toGitHubError(err, `reading run ${runId}`);
    }
  };

  return {
    async dispatch(request, signal) {
      const log = options.log.child({ buildId: request.buildId });
      if (!isBuildId(request.buildId)) {
        // It would travel in a runner label and the run name; a bad one would never be matched back.
        throw new GitHubError(`build id ${JSON.stringify(request.buildId)} is not label-safe (lowercase letters, digits and "-", at most 40); not dispatched`, {
          status: 0,
          method: 'POST',
          url: `/repos/${owner}/${repo}/actions/workflows/${options.workflow}/dispatches`,
          retryable: false,
        });
      }
      if (request.prNumber !== null) {
        // PR heads are untrusted: GitHub builds them through ports-pr.yml on pull_request (no
        // secrets, read-only token); ports.yml can deploy and has no PR input (GitHub would answer 422).
        throw new GitHubError(`build ${request.buildId} is for PR #${request.prNumber}: pull requests are built by ports-pr.yml on their own pull_request trigger, never dispatched to ${options.workflow}; not dispatched`, {
          status: 0,
          method: 'POST',
          url: `/repos/${owner}/${repo}/actions/workflows/${options.workflow}/dispatches`,
          retryable: false,
        });
      }
      let response;
      try {
        response = await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
          owner,
          repo,
          workflow_id: options.workflow,
          ref: options.ref,
          inputs: dispatchInputs(request),
          return_run_details: true,
          request: { signal },
        });
      } catch (err) {
        throw toGitHubError(err, `dispatching ${options.workflow} for build ${request.buildId}`);
      }
      const data = response.data as { workflow_run_id?: number } | undefined;
      if (typeof data?.workflow_run_id !== 'number') {
        // A GitHub without return_run_details (204): the run is there, but its id is not known; reconcile finds it by name.
        throw new GitHubError(`dispatching build ${request.buildId}: GitHub answered ${response.status} without a run id (return_run_details unsupported?); reconcile will match the run by its name`, {
          status: response.status,
          method: 'POST',
          url: `/repos/${owner}/${repo}/actions/workflows/${options.workflow}/dispatches`,
          retryable: false,
        });
      }
      log.info({ runId: data.workflow_run_id, platform: request.platform, port: request.port }, 'dispatched');
      return { runId: data.workflow_run_id };
    },

    async cancel(runId, signal) {
      const log = options.log.child({ runId });
      try {
        await octokit.rest.actions.cancelWorkflowRun({ owner, repo, run_id: runId, request: { signal } });
      } catch (err) {
        const error = toGitHubError(err, `cancelling run ${runId}`);
        // 409: already completed, the cancel came too late; say how it ended.
        if (error.status === 409) return { conclusion: (await getRun(runId, signal)).conclusion };
        throw error;
      }
      const deadline = clock.now() + forceAfterMs;
      while (clock.now() < deadline) {
        const run = await getRun(runId, signal);
        if (run.status === 'completed') return { conclusion: run.conclusion };
        await clock.sleep(pollMs, signal);
      }
      const late = await getRun(runId, signal);
      if (late.status === 'completed') return { conclusion: late.conclusion };
      log.warn({ afterMs: forceAfterMs }, 'run ignored cancel; force-cancelling');
      try {
        await octokit.rest.actions.forceCancelWorkflowRun({ owner, repo, run_id: runId, request: { signal } });
      } catch (err) {
        const error = toGitHubError(err, `force-cancelling run ${runId}`);
        if (error.status !== 409) throw error;
      }
      const forced = await getRun(runId, signal);
      return { conclusion: forced.status === 'completed' ? forced.conclusion : null };
    },

    async listRuns(since, signal) {
      // Runs come newest first; read pages until one is older than `since`. (The `created`
      // filter would do this server-side, but GitHub's OpenAPI document types it as a plain
      // date-time, not the `>=` search syntax the docs describe, so portfarm does not rely on it.)
      const out: RunSummary[] = [];
      try {
        const pages = octokit.paginate.iterator(withSignal(octokit.rest.actions.listWorkflowRuns, signal), {
          owner,
          repo,
          workflow_id: options.workflow,
          // Only dispatches can be the farm's: a pull request that edits ports.yml runs it on
          // pull_request as often as it pushes, and listing those cost a page per 100 and a
          // refusal counted again on every sweep.
          event: 'workflow_dispatch',
          per_page: 100,
        });
        pages: for await (const page of pages) {
          for (const run of page.data) {
            if (Date.parse(run.created_at) < since.getTime()) break pages;
            // `display_title` is the run's `run-name:` (`name` is the workflow's name).
            const buildId = buildIdFromRunName(run.display_title);
            if (buildId === undefined) continue;
            // A pull request that edits ports.yml runs it on pull_request, listed here too, named as it likes.
            const identity = runIdentityOf(run);
            const dispatched = verifyDispatchedRun(identity, options.farm);
            if (!dispatched.accepted) {
              options.rejections?.reject(dispatched.reason, `run ${run.id}`, { runId: run.id, buildId, title: run.display_title, why: dispatched.why });
              continue;
            }
            const triggeredByApp = verifyBuildRun(identity, options.farm, null).accepted;
            out.push({ runId: run.id, buildId, status: runStatus(run.status), conclusion: run.conclusion, triggeredByApp });
          }
        }
        return out;
      } catch (err) {
        throw toGitHubError(err, `listing ${options.workflow} runs since ${since.toISOString()}`);
      }
    },
  };
}
