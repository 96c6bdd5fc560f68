import type { DatabaseSync } from 'node:sqlite';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { PlatformQueue } from '../queue/core/platform-queue.ts';
import { selectFinishedRuns } from '../store/sql/select-finished-runs.ts';
import { selectPushTimes } from '../store/sql/select-push-times.ts';
import { createDurationHistory, recordRun } from './duration-history.ts';
import type { EtaAnswer, PortEta } from './eta-answer.ts';
import { calibrator, createEstimateCalibration, recordOutcome } from './estimate-calibration.ts';
import { estimateWatcher } from './estimate-duration.ts';
import { projectQueue, type ProjectedRun } from './project-queue.ts';
import { pushRate, PUSH_RATE_WINDOW_MS } from './push-rate.ts';
import { closureSize, runDuration } from './run-duration.ts';
import type { EtaRange } from './time-moments.ts';

export interface FarmEtaOptions {
  readonly db: DatabaseSync;
  readonly graph: PortsGraph | null;
  readonly platforms: readonly string[];
  /** Runs `look` on a platform's live queue without changing it (ReorderService.peekQueue). */
  readonly peek: <T>(platform: string, look: (queue: PlatformQueue) => T) => T;
  /** A projection is reused this long (ms): a queue of 40,000 takes a second or two to project. */
  readonly reuseMs?: number;
}

/** Builds whose first projection is remembered: above a full rebuild of every port on a few platforms. */
const MAX_REMEMBERED = 200_000;

interface Projection {
  readonly at: number;
  readonly runs: readonly ProjectedRun[];
  /** port (lower-case) → its run on the platform. */
  readonly byPort: ReadonlyMap<string, ProjectedRun>;
  readonly byBuild: ReadonlyMap<string, ProjectedRun>;
  /** Runs in flight. */
  readonly inFlight: number;
  readonly shown: (at: number, range: EtaRange) => EtaRange;
}

/**
 * The controller's ETA: durations learnt from the store's finished runs (read incrementally,
 * so a restart relearns the whole history), pushes from the store's push records, and a
 * projection of each platform's live queue, reused for `reuseMs`. Each builder's first
 * projection is remembered until it finishes, and how it turned out calibrates the ranges.
 */
export class FarmEta {
  readonly #options: FarmEtaOptions;
  readonly #history = createDurationHistory();
  readonly #calibration = createEstimateCalibration();
  readonly #firstProjection = new Map<string, { at: number; mid: number }>();
  readonly #projections = new Map<string, Projection>();
  #lastRowid = 0;

  constructor(options: FarmEtaOptions) {
    this.#options = options;
  }

  /** Every build of `port` queued or running, on one platform or all, with its estimate. */
  answer(port: string, platform: string | undefined, now: number): EtaAnswer {
    const platforms = platform === undefined ? this.#options.platforms : [platform];
    const builds: PortEta[] = [];
    for (const p of platforms) {
      const projection = this.#projection(p, now);
      const run = projection.byPort.get(port.toLowerCase());
      if (run !== undefined) builds.push(toPortEta(p, run, projection));
    }
    return { port, generatedAt: new Date(now).toISOString(), builds };
  }

  /** One build's estimate (for its check), or undefined when it is not queued on `platform`. */
  forBuild(platform: string, buildId: string, now: number): PortEta | undefined {
    const projection = this.#projection(platform, now);
    const run = projection.byBuild.get(buildId);
    return run === undefined ? undefined : toPortEta(platform, run, projection);
  }

  #projection(platform: string, now: number): Projection {
    const cached = this.#projections.get(platform);
    if (cached !== undefined && now - cached.at < (this.#options.reuseMs ?? 60_000) && now >= cached.at) return cached;
    this.#learn();
    const { graph, db } = this.#options;
    const runs = this.#options.peek(platform, (queue) =>
      projectQueue({
        queue,
        now,
        duration: runDuration(this.#history, graph),
        watcher: estimateWatcher(this.#history, platform),
        pushesPerMs: pushRate(selectPushTimes(db, now - PUSH_RATE_WINDOW_MS), now),
      }),
    );
    const byPort = new Map<string, ProjectedRun>();
    const byBuild = new Map<string, ProjectedRun>();
    for (const run of runs) {
      byBuild.set(run.buildId, run);
      if (run.port !== null && run.kind === 'builder') byPort.set(run.port.toLowerCase(), run);
      if (run.finish !== null && run.position > 0 && !this.#firstProjection.has(run.buildId)) this.#firstProjection.set(run.buildId, { at: now, mid: run.finish.mid });
    }
    const projection: Projection = { at: now, runs, byPort, byBuild, inFlight: runs.filter((r) => r.state !== 'pending').length, shown: calibrator(this.#calibration) };
    this.#projections.set(platform, projection);
    return projection;
  }

  /** Reads the runs finished since last time into the history, and scores their first projections. */
  #learn(): void {
    const { db, graph } = this.#options;
    for (;;) {
      const rows = selectFinishedRuns(db, this.#lastRowid, 10_000);
      for (const row of rows) {
        this.#lastRowid = Math.max(this.#lastRowid, row.rowid);
        recordRun(this.#history, { platform: row.platform, port: row.port, durationMs: row.finishedAt - row.dispatchedAt, closureSize: row.port === null ? null : closureSize(graph, row.port) });
        const first = this.#firstProjection.get(row.buildId);
        if (first !== undefined) {
          recordOutcome(this.#calibration, first.at, first.mid, row.finishedAt);
          this.#firstProjection.delete(row.buildId);
        }
      }
      if (rows.length < 10_000) break;
    }
    // Builds that failed or were dropped never finish successfully: forget the oldest projections past a bound.
    for (const key of this.#firstProjection.keys()) {
      if (this.#firstProjection.size <= MAX_REMEMBERED) break;
      this.#firstProjection.delete(key);
    }
  }
}

function toPortEta(platform: string, run: ProjectedRun, projection: Projection): PortEta {
  const iso = (range: EtaRange | null): PortEta['finish'] => (range === null ? null : { low: new Date(range.low).toISOString(), mid: new Date(range.mid).toISOString(), high: new Date(range.high).toISOString() });
  return {
    platform,
    buildId: run.buildId,
    state: run.state,
    position: run.position,
    ahead: run.position === 0 ? 0 : run.position - 1 + projection.inFlight,
    start: iso(run.start === null ? null : projection.shown(projection.at, run.start)),
    finish: iso(run.finish === null ? null : projection.shown(projection.at, run.finish)),
    basis: run.basis,
    unknown: run.unknown,
  };
}
