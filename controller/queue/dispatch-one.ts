import { coerceError } from '../errors/coerce-error.ts';
import type { BuildId } from '../model/build-id.ts';
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
  /** Queues a build whose dispatch GitHub certainly never made again, at the head, in one transaction; answers its new id. */
  readonly requeueUnsent: (entry: QueueEntry) => BuildId;
}

/**
 * What became of one dispatch: the run exists; GitHub refused it for good (the build failed
 * without a run); it was never made (a rate limit: the build is queued again as `requeuedAs`);
 * or nobody knows whether a run exists (reconcile looks for it).
 */
export type DispatchOutcome =
  | 'dispatched'
  | { readonly kind: 'refused'; readonly error: Error }
  | { readonly kind: 'not-sent'; readonly error: Error; readonly requeuedAs: BuildId }
  | { readonly kind: 'unknown'; readonly error: Error };

/**
 * Dispatches one build: the intent is committed first, then GitHub is asked, then the run id
 * is recorded. A dispatch GitHub refused (a 4xx: no run exists and the same inputs would be
 * refused again) fails the build once without a run, instead of requeueing it round after
 * round. One GitHub did not process (never sent during a pause it asked for, or refused for a
 * rate limit: `notProcessed`) made no run either, so the build is queued again at once under a
 * new id, as reconcile would once it found no run, without a reconcile's list of runs. Any other
 * error (5xx, network, a lost answer) leaves the intent for reconcile to look for.
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
    const what = `${next.kind}${next.port === null ? '' : ` ${next.port}`} on ${queue.platform}`;
    if ((error as { notProcessed?: unknown }).notProcessed === true) {
      const requeuedAs = deps.requeueUnsent(next);
      return { kind: 'not-sent', requeuedAs, error: new Error(`GitHub did not take the dispatch of ${next.buildId} (${what}): ${error.message}; queued again as ${requeuedAs}`, { cause: error }) };
    }
    if ((error as { retryable?: unknown }).retryable === false) {
      deps.change(() => ({ value: null, changes: markFinished(queue, next, 'failure', at, false) }));
      return {
        kind: 'refused',
        error: new Error(`GitHub refused to dispatch ${next.buildId} (${what}), so it fails without a run: ${error.message}; check ports.yml's inputs against the config`, { cause: error }),
      };
    }
    return { kind: 'unknown', error: new Error(`dispatching ${next.buildId} failed`, { cause: error }) };
  }
}
