import type { BuildId } from '../../model/build-id.ts';
import type { BuildKind, BuildResult, RunState } from '../../model/build-kind.ts';

/**
 * Commit builders (0) go ahead of builders from a forced full rebuild (1): a rebuild takes
 * weeks and must not hold back the port a maintainer just updated.
 */
export type BuilderClass = 0 | 1;

/**
 * One build in a platform's queue. The core mutates these records in its own in-memory
 * queue; the store keeps the same fields as one row per build.
 */
export interface QueueEntry {
  readonly buildId: BuildId;
  readonly platform: string;
  readonly kind: BuildKind;
  /** The port a builder builds; null for watchers. */
  readonly port: string | null;
  /** Newest revision wins: coalescing a pending build updates it. */
  portsRevision: string;
  state: RunState;
  /** Enqueue order on the platform (one number per watcher or per accepted port list). */
  readonly seq: number;
  readonly enqueuedAt: number;
  /** Watchers: the ports the commits touched, null when the watcher must work them out (or for force). */
  changedPorts: readonly string[] | null;
  /** Watchers: a forced rebuild of all ports. */
  force: boolean;
  readonly prNumber: number | null;
  /** Builders: the watcher whose list asked for it. */
  readonly origin: BuildId | null;
  /** Builders: position in the watcher's list (the tie-breaker after dependency rank). */
  readonly listIndex: number;
  /** Builders: position in the build order of the ports graph when it was queued. */
  readonly rank: number;
  builderClass: BuilderClass;
  /** A builder cancelled before it started for a watcher: it goes back to the head of the builders. */
  readonly head: boolean;
  runId: number | null;
  /**
   * The lane of a dispatched run (0 … parallel builds − 1), free among the platform's runs in
   * flight: the workflow's concurrency group is per platform and lane, so GitHub never holds
   * two of the farm's runs in one group (a newer pending run would cancel the older).
   */
  lane: number | null;
  dispatchedAt: number | null;
  startedAt: number | null;
  /** Watchers: the port list was turned into builders (a resent list is ignored). */
  listAccepted: boolean;
  /** Dispatched builders a watcher preempts: the cancel was asked for; the run must not be counted as running. */
  cancelRequested: boolean;
}

export interface FinishedBuild {
  readonly buildId: BuildId;
  readonly result: BuildResult;
  readonly at: number;
}
