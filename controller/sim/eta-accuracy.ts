import { createDurationHistory, recordRun } from '../eta/duration-history.ts';
import { projectQueue } from '../eta/project-queue.ts';
import { pushRate, PUSH_RATE_WINDOW_MS } from '../eta/push-rate.ts';
import { closureSize, runDuration } from '../eta/run-duration.ts';
import { estimateWatcher } from '../eta/estimate-duration.ts';
import { calibrator, createEstimateCalibration, recordOutcome } from '../eta/estimate-calibration.ts';
import { momentsOf, toRange, type EtaRange } from '../eta/time-moments.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { PlatformQueue } from '../queue/core/platform-queue.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';

/** Errors of one kind of estimate: |estimated − actual| ÷ (actual − time of estimate), and how often the range held the actual finish. */
export interface EtaErrors {
  readonly errors: number[];
  /** log(actual span ÷ estimated span): above 0, the builds took longer than shown. */
  readonly logRatios: number[];
  inRange: number;
  /** Builds that finished while their estimate was "unknown". */
  unknown: number;
  /** Builds estimated during the warm-up (not scored; see DEFAULT_WARM_UP_BUILDS). */
  warmUp: number;
}

/**
 * The controller starts with the ledger's history of every port; the simulator starts with
 * none. Estimates made before this many builds finished on the platform are not scored (the
 * estimator learns from those builds all the same): they measure an empty ledger, which no
 * running farm has.
 */
export const DEFAULT_WARM_UP_BUILDS = 300;

interface Estimate {
  readonly at: number;
  /** As shown (calibrated). */
  readonly finish: EtaRange;
  /** The projection's own median, before calibration: what calibration learns from. */
  readonly projected: number;
  readonly warmUp: boolean;
}

/**
 * Measures the ETA the controller would show, inside the simulator: it learns durations only
 * from the runs the simulator finished (never from its duration model), estimates every
 * builder when its watcher's list is accepted (projecting the real queue) and again at
 * dispatch, and compares both with when the builder really finished.
 */
export class EtaAccuracy {
  readonly #graph: PortsGraph;
  readonly #history = createDurationHistory();
  readonly #pushes: number[] = [];
  readonly #calibration = createEstimateCalibration();
  /** port (lower-case) → the estimate made when the list that queued it was accepted. */
  readonly #atList = new Map<string, Estimate | null>();
  /** buildId → the estimate made at dispatch. */
  readonly #atDispatch = new Map<string, Estimate | null>();
  readonly list: EtaErrors = { errors: [], logRatios: [], inRange: 0, unknown: 0, warmUp: 0 };
  readonly dispatch: EtaErrors = { errors: [], logRatios: [], inRange: 0, unknown: 0, warmUp: 0 };
  #builds = 0;

  readonly #warmUp: number;

  constructor(graph: PortsGraph, warmUpBuilds = DEFAULT_WARM_UP_BUILDS) {
    this.#graph = graph;
    this.#warmUp = warmUpBuilds;
  }

  pushed(now: number): void {
    this.#pushes.push(now);
    while ((this.#pushes[0] ?? now) <= now - PUSH_RATE_WINDOW_MS) this.#pushes.shift();
  }

  /** A watcher's list became builders: the estimate a maintainer would now be shown for each. */
  listAccepted(queue: PlatformQueue, added: readonly QueueEntry[], now: number): void {
    if (added.length === 0) return;
    const projected = projectQueue({
      queue,
      now,
      duration: runDuration(this.#history, this.#graph),
      watcher: estimateWatcher(this.#history, queue.platform),
      pushesPerMs: pushRate(this.#pushes, now),
    });
    const byId = new Map(projected.map((p) => [p.buildId, p]));
    const shown = calibrator(this.#calibration);
    for (const entry of added) {
      if (entry.port === null) continue;
      const key = entry.port.toLowerCase();
      if (this.#atList.has(key)) continue;
      const finish = byId.get(entry.buildId)?.finish ?? null;
      this.#atList.set(key, finish === null ? null : { at: now, finish: shown(now, finish), projected: finish.mid, warmUp: this.#builds < this.#warmUp });
    }
  }

  /** A builder was dispatched: its estimate is now its own expected duration. */
  dispatched(entry: QueueEntry, now: number): void {
    if (entry.port === null) return;
    const estimate = runDuration(this.#history, this.#graph)(entry);
    const finish = estimate === undefined ? null : toRange(now, momentsOf(estimate));
    this.#atDispatch.set(entry.buildId, finish === null ? null : { at: now, finish, projected: finish.mid, warmUp: this.#builds < this.#warmUp });
  }

  /** A run finished after `durationMs` on its platform (dispatch to end); only successful runs teach durations. */
  finished(entry: QueueEntry, now: number, durationMs: number, success: boolean): void {
    if (entry.port !== null) {
      const key = entry.port.toLowerCase();
      if (this.#atList.has(key)) {
        const estimate = this.#atList.get(key) ?? null;
        score(this.list, estimate, now);
        if (estimate !== null) recordOutcome(this.#calibration, estimate.at, estimate.projected, now);
        this.#atList.delete(key);
      }
      if (this.#atDispatch.has(entry.buildId)) {
        score(this.dispatch, this.#atDispatch.get(entry.buildId) ?? null, now);
        this.#atDispatch.delete(entry.buildId);
      }
    }
    if (success && entry.port !== null) this.#builds += 1;
    if (success) recordRun(this.#history, { platform: entry.platform, port: entry.port, durationMs, closureSize: entry.port === null ? null : closureSize(this.#graph, entry.port) });
  }

  /** A dispatched run cancelled before it started (preempted): it is estimated again at its next dispatch. */
  cancelled(entry: QueueEntry): void {
    this.#atDispatch.delete(entry.buildId);
  }
}

function score(into: EtaErrors, estimate: Estimate | null, actual: number): void {
  if (estimate === null) {
    into.unknown += 1;
    return;
  }
  if (estimate.warmUp) {
    into.warmUp += 1;
    return;
  }
  const span = actual - estimate.at;
  if (span <= 0) return;
  into.errors.push(Math.abs(estimate.finish.mid - actual) / span);
  if (estimate.finish.mid > estimate.at) into.logRatios.push(Math.log(span / (estimate.finish.mid - estimate.at)));
  if (actual >= estimate.finish.low && actual <= estimate.finish.high) into.inRange += 1;
}
