import { buildIdFromLabel, buildIdFromRunName } from '../model/build-id.ts';
import type { RejectedPortName } from '../model/port-name.ts';
import { VM_PREFIX } from '../model/vm-prefix.ts';
import { changedPorts } from './changed-ports.ts';
import type { FarmEvents, WatcherRequest, WorkflowJobEvent, WorkflowRunEvent } from './farm-events.ts';
import { pullRequestPayloadSchema, pushPayloadSchema, workflowJobPayloadSchema, workflowRunPayloadSchema } from './webhook-payloads.ts';

export interface WebhookContext {
  /** `owner/name` of the ports repository; deliveries for other repositories are ignored. */
  readonly repo: string;
  /** The ports workflow file (`ports.yml`); runs of other workflows are ignored. */
  readonly workflow: string;
  /** Configured platform names: one watcher each. */
  readonly platforms: readonly string[];
}

/** One call on FarmEvents a delivery turns into. */
export type FarmCall =
  | { readonly method: 'onPush'; readonly arg: WatcherRequest }
  | { readonly method: 'onPullRequest'; readonly arg: WatcherRequest }
  | { readonly method: 'onWorkflowRun'; readonly arg: WorkflowRunEvent }
  | { readonly method: 'onWorkflowJob'; readonly arg: WorkflowJobEvent };

export type Translation =
  | {
      readonly calls: readonly FarmCall[];
      readonly ignored: null;
      /** A push's directory names that are not port names: not built, logged by the handler. */
      readonly notPortNames?: readonly RejectedPortName[];
    }
  | { readonly calls: readonly []; readonly ignored: string };

/** A payload that does not have the shape of its event: permanent (redelivering it fails the same way). */
export class WebhookPayloadError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }, event: string, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(payload)'}: ${i.message}`).join('; ');
  throw new WebhookPayloadError(`${event} payload is not what GitHub sends: ${problems}`);
}

const ignore = (reason: string): Translation => ({ calls: [], ignored: reason });

/**
 * Pure: what a verified delivery means for the farm. A push to the default branch that
 * touches ports → one watcher per platform; a PR opened/synchronized → one PR watcher per
 * platform; workflow_run / workflow_job of the ports workflow → run and job state events.
 * Anything else is ignored with the reason (logged, answered 202).
 */
export function translateWebhook(delivery: { readonly id: string; readonly event: string; readonly payload: unknown; readonly receivedAt: Date }, context: WebhookContext): Translation {
  const { id: deliveryId, event, payload, receivedAt } = delivery;
  switch (event) {
    case 'push': {
      const push = parse(pushPayloadSchema, event, payload);
      if (push.repository.full_name !== context.repo) return ignore(`push to ${push.repository.full_name}, not ${context.repo}`);
      const branch = push.repository.default_branch ?? 'master';
      if (push.ref !== `refs/heads/${branch}`) return ignore(`push to ${push.ref}, not the default branch ${branch}`);
      if (push.deleted === true) return ignore('branch deleted');
      const { ports, rejected } = changedPorts(push.commits.flatMap((c) => [...c.added, ...c.removed, ...c.modified]));
      if (ports.length === 0) {
        return ignore(rejected.length === 0 ? 'push touches no port directory' : `push touches no port directory named like a port: ${rejected.map((r) => r.reason).join('; ')}`);
      }
      const previous = /^0+$/.test(push.before) ? null : push.before;
      return {
        ignored: null,
        ...(rejected.length === 0 ? {} : { notPortNames: rejected }),
        calls: context.platforms.map((platform) => ({
          method: 'onPush' as const,
          arg: { deliveryId, kind: 'watcher' as const, platform, portsRevision: push.after, previousRevision: previous, changedPorts: ports, prNumber: null, receivedAt },
        })),
      };
    }
    case 'pull_request': {
      const pr = parse(pullRequestPayloadSchema, event, payload);
      if (pr.repository.full_name !== context.repo) return ignore(`pull request in ${pr.repository.full_name}, not ${context.repo}`);
      if (pr.action !== 'opened' && pr.action !== 'synchronize' && pr.action !== 'reopened') return ignore(`pull_request.${pr.action} needs no build`);
      return {
        ignored: null,
        calls: context.platforms.map((platform) => ({
          method: 'onPullRequest' as const,
          arg: { deliveryId, kind: 'pr-watcher' as const, platform, portsRevision: pr.pull_request.head.sha, previousRevision: pr.pull_request.base.sha, changedPorts: [], prNumber: pr.number, receivedAt },
        })),
      };
    }
    case 'workflow_run': {
      const run = parse(workflowRunPayloadSchema, event, payload);
      if (run.action !== 'requested' && run.action !== 'in_progress' && run.action !== 'completed') return ignore(`workflow_run.${run.action} changes nothing`);
      const buildId = buildIdFromRunName(run.workflow_run.display_title) ?? null;
      // Whether the run is the farm's is decided with the recorded state (guard-farm-events.ts);
      // a run that neither is of a file named like the ports workflow nor claims a build or a
      // manual rebuild in its name is another workflow's everyday traffic.
      const claims = buildId !== null || run.workflow_run.display_title.trim().startsWith('manual:');
      if (!claims && !run.workflow_run.path.replace(/@.*$/, '').endsWith(`/${context.workflow}`)) return ignore(`run of ${run.workflow_run.path}, not ${context.workflow}`);
      return {
        ignored: null,
        calls: [{
          method: 'onWorkflowRun',
          arg: {
            deliveryId,
            buildId,
            title: run.workflow_run.display_title,
            headSha: run.workflow_run.head_sha,
            runId: run.workflow_run.id,
            action: run.action,
            status: run.workflow_run.status ?? 'unknown',
            conclusion: run.workflow_run.conclusion,
            at: new Date(run.workflow_run.updated_at),
            identity: {
              runId: run.workflow_run.id,
              runAttempt: run.workflow_run.run_attempt,
              repositoryId: run.repository.id,
              repository: run.repository.full_name,
              path: run.workflow_run.path,
              event: run.workflow_run.event,
              headBranch: run.workflow_run.head_branch,
              headSha: run.workflow_run.head_sha,
              triggeringActor: run.workflow_run.triggering_actor?.login ?? null,
              actor: run.workflow_run.actor?.login ?? null,
            },
          },
        }],
      };
    }
    case 'workflow_job': {
      const job = parse(workflowJobPayloadSchema, event, payload);
      const action = job.action;
      if (action !== 'queued' && action !== 'waiting' && action !== 'in_progress' && action !== 'completed') return ignore(`workflow_job.${action} changes nothing`);
      const buildId = job.workflow_job.labels.map(buildIdFromLabel).find((b) => b !== undefined) ?? null;
      // A job without portfarm's label still matters when one of portfarm's runners took it (its
      // labels are a subset of the runner's): the runner manager must destroy that VM.
      const onPortfarmRunner = job.workflow_job.runner_name?.startsWith(VM_PREFIX) === true;
      if (buildId === null && !onPortfarmRunner) return ignore('job of a run portfarm did not dispatch (no portfarm-build-<id> label)');
      return {
        ignored: null,
        calls: [{
          method: 'onWorkflowJob',
          arg: {
            deliveryId,
            buildId,
            runId: job.workflow_job.run_id,
            runAttempt: job.workflow_job.run_attempt ?? null,
            repositoryId: job.repository.id,
            repository: job.repository.full_name,
            workflowName: job.workflow_job.workflow_name,
            headBranch: job.workflow_job.head_branch,
            jobId: job.workflow_job.id,
            action,
            labels: job.workflow_job.labels,
            runnerId: job.workflow_job.runner_id,
            runnerName: job.workflow_job.runner_name,
            conclusion: job.workflow_job.conclusion,
            failedStep: failedPhase(job.workflow_job.steps),
            at: new Date(job.workflow_job.completed_at ?? job.workflow_job.started_at),
          },
        }],
      };
    }
    default:
      return ignore(`${event} events need no action`);
  }
}

/** The first failed step, named like the mpbb phase it ran (`builder: install port` → `install-port`). */
export function failedPhase(steps: readonly { readonly name: string; readonly number: number; readonly conclusion: string | null }[]): string | null {
  const failed = [...steps].sort((a, b) => a.number - b.number).find((step) => step.conclusion === 'failure');
  if (failed === undefined) return null;
  return phaseOfStep(failed.name);
}

/** `builder: install port` → `install-port`: a job step as a buildbot-style step name. */
export function phaseOfStep(name: string): string {
  return name.replace(/^(builder|watcher):\s*/i, '').trim().toLowerCase().replace(/\s+/g, '-');
}

/** Makes the calls, in order. */
export async function applyFarmCalls(calls: readonly FarmCall[], farm: FarmEvents, signal: AbortSignal): Promise<void> {
  for (const call of calls) {
    switch (call.method) {
      case 'onPush':
        await farm.onPush(call.arg, signal);
        break;
      case 'onPullRequest':
        await farm.onPullRequest(call.arg, signal);
        break;
      case 'onWorkflowRun':
        await farm.onWorkflowRun(call.arg, signal);
        break;
      case 'onWorkflowJob':
        await farm.onWorkflowJob(call.arg, signal);
        break;
    }
  }
}
