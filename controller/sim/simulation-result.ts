/** What `portfarm simulate --json` prints: exactly the keys of the DESIGN.md contract. */
export interface SimulationResult {
  readonly policy: 'legacy' | 'proposed' | 'portfarm';
  /** Commits replayed (all of them, including those touching no port). */
  readonly commits: number;
  /** Builder runs that ran to the end, over all platforms. */
  readonly builds: number;
  /** Builds obsolete when they started: a newer change of the port was already committed, or that version was already built. */
  readonly supersededBuilds: number;
  readonly wastedBuildHours: number;
  /** Commit → every port it changed built at that version or newer (per commit and platform). */
  readonly latencyHours: { readonly p50: number; readonly p95: number };
  /** Commit → the start of the watcher that lists it. */
  readonly watcherWaitHours: { readonly p50: number; readonly p95: number };
  /** Largest number of pending runs (watchers + builders) on one platform. */
  readonly maxPending: number;
  /** Mean |pending count shown − builds actually still to come| sampled at each watcher arrival. */
  readonly pendingCountError: number;
  /** Times more than one run was in flight on a platform (legacy: the restart race). */
  readonly concurrencyViolations: number;
  /** Time spent in the scheduling core (enqueue, order, select), ms. */
  readonly schedulerMs: number;
  /** The ETA shown when a builder's list was accepted, against when it really finished (portfarm only; null for the others). */
  readonly etaError: EtaErrorFigures | null;
  /** The same for the ETA at the builder's dispatch. */
  readonly etaErrorAtDispatch: EtaErrorFigures | null;
}

/**
 * |estimated finish − actual finish| ÷ (actual finish − time of the estimate), over the builds
 * that had an estimate: its 50th and 90th percentile and their number; `coverage`, the share
 * whose actual finish lay in the 20th–80th percentile range shown; `unknown`, builds that
 * finished while their estimate was "unknown" (nothing seen yet to estimate from); `warmUp`,
 * builds estimated during the warm-up.
 */
export interface EtaErrorFigures {
  readonly p50: number;
  readonly p90: number;
  readonly n: number;
  readonly coverage: number;
  readonly unknown: number;
  /** Builds estimated before the warm-up ended (the simulator starts with no history; a farm has its ledger): not scored. */
  readonly warmUp: number;
}
