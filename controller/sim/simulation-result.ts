/** What `portfarm simulate --json` prints: the keys of the DESIGN.md contract, then those of issue #18 (parallel builders, failures). */
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
  /**
   * Forced rebuild start → the last of its builds finished (the slowest platform); null without
   * a rebuild. Builds a failed dependency held are left out (here and in the bound): they wait
   * for a fix commit, which no number of builders brings sooner.
   */
  readonly makespanHours: number | null;
  /** max(the rebuild's build time ÷ parallel builds, its longest dependency chain by duration), slowest platform; null without a rebuild. */
  readonly lowerBoundHours: number | null;
  /** Builds dispatched while a port of their dependency closure (ranked below it) was pending, dispatched or running on the platform. */
  readonly dependencyViolations: number;
  /** Dependents of a failed port that ran anyway and failed, retrying the dependency's build (no failcache on a fresh VM). */
  readonly doomedBuilds: number;
  readonly doomedBuildHours: number;
  /** Builds held as blocked by a failed dependency instead (no VM, no mail). */
  readonly blockedBuilds: number;
  /** Builds that failed on their own (`--failure-rate`). */
  readonly failures: number;
  /** Failure mails: one per failed build (doomed ones included). */
  readonly mailsSent: number;
  /** Of those, mails to maintainers of a port that did nothing wrong (its build was doomed). */
  readonly mailsAboutOthers: number;
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
