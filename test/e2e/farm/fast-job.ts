import type { RunnerJobMessage } from '../../github-double/github-double.ts';
import type { StepConclusion } from '../../github-double/runner-stand-in.ts';

/** What a `ports` job does in the fault tests, decided up front from a seed. */
export interface JobPlan {
  /** Builders of these ports fail in `install-port` (a port failure: mailed to its maintainers). */
  readonly failingPorts: ReadonlySet<string>;
  /** `<platform> <port>`: builders fail in `install-port` there until the entry is removed (the fix commit). */
  readonly broken: ReadonlySet<string>;
  /** A seeded source in [0, 1) for step durations. */
  readonly random: () => number;
  /** The main step of a job (hand-off, install-port) takes up to this long. */
  readonly maxStepMs: number;
}

export interface FastJobContext {
  readonly controllerUrl: string;
  /** The job's OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL in a real job) for this run. */
  readonly issueToken: (claims: { readonly run_id: string; readonly sha: string }) => Promise<string>;
  readonly plan: JobPlan;
  /** Counts hand-offs the controller refused or could not take (the watcher's step then fails, as the action's does). */
  readonly onHandOffFailed?: (buildId: string, why: string) => void;
  /** Called once the controller took a port list (its answer was a 2xx). */
  readonly onHandedOff?: (list: { readonly platform: string; readonly ports: readonly string[] }) => void;
}

/**
 * The `ports` job without a process per step: the watcher's hand-off step POSTs its port list
 * to the controller's `/api/port-list` with the run's OIDC token, as the action does
 * (`action/src/hand-off-port-list.ts`, one attempt without its retries: a refusal or an
 * unreachable controller fails the step), and the builder's `install port` step succeeds or fails per the plan. The
 * watcher lists the ports the dispatch named (`portlist`): the commit's changed ports.
 */
export function fastJobSteps(context: FastJobContext) {
  return async (step: { readonly name: string }, job: RunnerJobMessage, signal: AbortSignal): Promise<StepConclusion> => {
    const inputs = job.inputs;
    if (step.name === 'watcher: list subports and hand them to the controller') {
      await sleep(Math.floor(context.plan.random() * context.plan.maxStepMs), signal);
      const buildId = inputs.build_id ?? '';
      const list = {
        buildId,
        platform: inputs.platform ?? '',
        portsRevision: inputs.ports_sha ?? '',
        ports: (inputs.portlist ?? '').split(/\s+/).filter((p) => p !== ''),
        excluded: [],
      };
      try {
        const token = await context.issueToken({ run_id: String(job.runId), sha: inputs.ports_sha ?? '' });
        const response = await fetch(`${context.controllerUrl}/api/port-list`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(list),
          signal,
        });
        const text = await response.text();
        if (response.ok) {
          context.onHandedOff?.(list);
          return 'success';
        }
        context.onHandOffFailed?.(buildId, `HTTP ${response.status} ${text}`);
        return 'failure';
      } catch (error) {
        if (signal.aborted) throw error;
        context.onHandOffFailed?.(buildId, error instanceof Error ? error.message : String(error));
        return 'failure';
      }
    }
    if (step.name === 'builder: install port') {
      await sleep(Math.floor(context.plan.random() * context.plan.maxStepMs), signal);
      const port = inputs.portname ?? '';
      return context.plan.failingPorts.has(port) || context.plan.broken.has(`${inputs.platform ?? ''} ${port}`) ? 'failure' : 'success';
    }
    return 'success';
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
