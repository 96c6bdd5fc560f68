import { coerceError } from '../errors/coerce-error.ts';
import { markDispatching } from './core/mark-dispatching.ts';
import { markDispatched, markFinished } from './core/mark-run.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import { toDispatchRequest } from './dispatch-request.ts';
import type { RunGateway } from './run-gateway.ts';
import { crashPoint } from '../errors/crash-point.ts';

export interface DispatchDeps {
  readonly gateway: RunGateway;
  /** Runs one core operation and commits its changes in one transaction (the reorder service's). */
  readonly change: (operation: () => { value: null; changes: readonly QueueChange[] }) => null;
}

/** What became of one dispatch: the run exists, or an error and whether a run may exist all the same. */
export type DispatchOutcome = 'dispatched' | { readonly error: Error; readonly unknown: boolean };

/**
 * Dispatches one build: the intent is committed first, then GitHub is asked, then the run id
 * is recorded. A dispatch GitHub refused (a 4xx: no run exists and the same inputs would be
 * refused again) fails the build once without a run, instead of requeueing it round after
 * round; any other error leaves the intent for reconcile to look for.
 */
export async function dispatchOne(queue: PlatformQueue, next: QueueEntry, at: number, signal: AbortSignal, deps: DispatchDeps): Promise<DispatchOutcome> {
  deps.change(() => ({ value: null, changes: markDispatching(queue, next, at) }));
  crashPoint('dispatch-intent');
  try {
    const { runId } = await deps.gateway.dispatch(toDispatchRequest(next), signal);
    crashPoint('dispatch-answered');
    deps.change(() => ({ value: null, changes: markDispatched(next, runId) }));
    return 'dispatched';
  } catch (caught) {
    const error = coerceError(caught);
    if ((error as { retryable?: unknown }).retryable === false) {
      deps.change(() => ({ value: null, changes: markFinished(queue, next, 'failure', at, false) }));
      const what = `${next.kind}${next.port === null ? '' : ` ${next.port}`} on ${queue.platform}`;
      return {
        error: new Error(`GitHub refused to dispatch ${next.buildId} (${what}), so it fails without a run: ${error.message}; check ports.yml's inputs against the config`, { cause: error }),
        unknown: false,
      };
    }
    return { error: new Error(`dispatching ${next.buildId} failed`, { cause: error }), unknown: true };
  }
}
