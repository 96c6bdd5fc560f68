import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';

/** What one `pump` of the reorder service did. */
export interface PumpReport {
  readonly dispatched: readonly BuildId[];
  /** Builders cancelled before they started because a watcher waits; `requeuedAs` is the new build id. */
  readonly preempted: readonly { readonly buildId: BuildId; readonly requeuedAs: BuildId }[];
  /** Dispatches GitHub did not take (a rate limit): no run exists, and the build is queued again as `requeuedAs`. */
  readonly deferred: readonly { readonly buildId: BuildId; readonly requeuedAs: BuildId; readonly error: Error }[];
  /** Gateway calls that failed; the build stays recorded and `reconcile` settles it (a refused dispatch failed its build). */
  readonly errors: readonly { readonly buildId: BuildId; readonly error: Error }[];
}

/** What one `reconcile` of the reorder service found on GitHub and did. */
export interface ReconcileReport {
  /** Intents whose run was found on GitHub: adopted, not dispatched again. */
  readonly adopted: readonly BuildId[];
  /** Intents with no run on GitHub: the dispatch never happened; queued again under a new id. */
  readonly requeued: readonly { readonly buildId: BuildId; readonly requeuedAs: BuildId }[];
  readonly started: readonly BuildId[];
  /** Runs that completed while nobody listened: the caller records them (ledger, checks, mail) as it would a finish event, with this result and phase. */
  readonly finished: readonly { readonly buildId: BuildId; readonly runId: number; readonly result: BuildResult; readonly phase: string | null }[];
}
