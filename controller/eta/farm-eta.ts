import type { DatabaseSync } from 'node:sqlite';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { PlatformQueue } from '../queue/core/platform-queue.ts';
import { selectFinishedRuns } from '../store/sql/select-finished-runs.ts';
import { selectPushTimes } from '../store/sql/select-push-times.ts';
import { createDurationHistory, recordRun } from './duration-history.ts';
import type { EtaAnswer, EtaSnapshot, PortEta } from './eta-answer.ts';
import { calibrator, createEstimateCalibration, recordOutcome } from './estimate-calibration.ts';
import { estimateWatcher } from './estimate-duration.ts';
import { projectQueue, type ProjectedRun } from './project-queue.ts';
import { projectionJob, runProjectionJob, type ProjectionJob } from './projection-job.ts';
import type { QueueProjector } from './projection-thread.ts';
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
  /**
   * Where projections run. Absent: in the caller's turn of the event loop (tests, the
   * simulator). A ProjectionThread (the controller): off the loop; then the synchronous
   * answers (`answer`, `forBuild`) give the last projection made and start a new one when it is
   * older than `reuseMs`, and the asynchronous ones (`answerFresh`, `snapshot`) wait for it.
   */
  readonly projector?: QueueProjector;
  /** A projection the worker could not make (it is then made in the loop). */
  readonly onProjectorError?: (error: Error) => void;
}

/** Builds whose first projection is remembered: above a full rebuild of every port on a few platforms. */
const MAX_REMEMBERED = 200_000;

interface Projection {
  readonly at: number;
  /** The number of jobs taken from the live queues when this one was (FarmEta.queueMark). */
  readonly taken: number;
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
  /** Projections under way off the loop, per platform. */
  readonly #refreshing = new Map<string, { readonly taken: number; readonly done: Promise<Projection> }>();
  /** Jobs taken from the live queues so far: a projection with a higher count saw every change made before a mark. */
  #taken = 0;
  #lastRowid = 0;

  constructor(options: FarmEtaOptions) {
    this.#options = options;
  }

  /**
   * Every build of `port` queued or running, on one platform or all, with its estimate. Off the
   * loop (a projector), a platform not projected yet is left out until its first projection.
   */
  answer(port: string, platform: string | undefined, now: number): EtaAnswer {
    return this.#answer(port, platform === undefined ? this.#options.platforms : [platform], now, (p) => this.#projection(p, now));
  }

  /** `answer`, waiting for projections older than `reuseMs` to be made again (never in the loop with a projector). */
  async answerFresh(port: string, platform: string | undefined, now: number): Promise<EtaAnswer> {
    const platforms = platform === undefined ? this.#options.platforms : [platform];
    const fresh = new Map<string, Projection>();
    for (const p of platforms) fresh.set(p, await this.#fresh(p, now));
    return this.#answer(port, platforms, now, (p) => fresh.get(p));
  }

  /** Every builder queued or running on every platform, with its estimate (`GET /api/eta/snapshot`). */
  async snapshot(now: number): Promise<EtaSnapshot> {
    const builds: EtaSnapshot['builds'] = [];
    let at = now;
    for (const platform of this.#options.platforms) {
      const projection = await this.#fresh(platform, now);
      at = Math.min(at, projection.at);
      for (const [, run] of projection.byPort) if (run.port !== null) builds.push({ port: run.port, ...toPortEta(platform, run, projection) });
    }
    return { v: 1, generatedAt: new Date(at).toISOString(), builds };
  }

  /** One build's estimate (for its check), or undefined when it is not queued on `platform` (or, off the loop, not projected yet). */
  forBuild(platform: string, buildId: string, now: number): PortEta | undefined {
    const projection = this.#projection(platform, now);
    const run = projection?.byBuild.get(buildId);
    return run === undefined || projection === undefined ? undefined : toPortEta(platform, run, projection);
  }

  /** A mark of the live queues as they are now: `projectedSince` waits for a projection taken after it. */
  queueMark(): number {
    return this.#taken;
  }

  /**
   * Resolves once the platform has a projection taken after `mark` (the queue changes made
   * before the mark are in it): the one kept, the one under way, or a new one started now. Off
   * the loop with a projector; without one the answer is made in the loop when asked.
   */
  async projectedSince(platform: string, mark: number, now: number): Promise<void> {
    const kept = this.#projections.get(platform);
    if (kept !== undefined && kept.taken > mark) return;
    const under = this.#refreshing.get(platform);
    if (under !== undefined) {
      await under.done;
      if (under.taken > mark) return;
    }
    await this.#fresh(platform, now, true);
  }

  /** Stops the projector (the controller's shutdown). */
  async close(): Promise<void> {
    await this.#options.projector?.close();
  }

  #answer(port: string, platforms: readonly string[], now: number, projectionOf: (platform: string) => Projection | undefined): EtaAnswer {
    const builds: PortEta[] = [];
    for (const p of platforms) {
      const projection = projectionOf(p);
      const run = projection?.byPort.get(port.toLowerCase());
      if (run !== undefined && projection !== undefined) builds.push(toPortEta(p, run, projection));
    }
    return { port, generatedAt: new Date(now).toISOString(), builds };
  }

  #isFresh(projection: Projection | undefined, now: number): projection is Projection {
    return projection !== undefined && now - projection.at < (this.#options.reuseMs ?? 60_000) && now >= projection.at;
  }

  /** The platform's projection now: in the loop without a projector; else the last one made, a new one started when it is old. */
  #projection(platform: string, now: number): Projection | undefined {
    const cached = this.#projections.get(platform);
    if (this.#isFresh(cached, now)) return cached;
    if (this.#options.projector === undefined) return this.#projectInLoop(platform, now);
    this.#fresh(platform, now).catch((caught: unknown) => this.#options.onProjectorError?.(caught instanceof Error ? caught : new Error(String(caught))));
    return cached;
  }

  /** The platform's projection no older than `reuseMs` (or, `renew`, one taken now or under way). */
  async #fresh(platform: string, now: number, renew = false): Promise<Projection> {
    const cached = this.#projections.get(platform);
    if (!renew && this.#isFresh(cached, now)) return cached;
    const projector = this.#options.projector;
    if (projector === undefined) return this.#projectInLoop(platform, now);
    const under = this.#refreshing.get(platform);
    if (under !== undefined) return under.done;
    // The job is taken now, before the first await: it holds the queue as it is at this mark.
    const taken = ++this.#taken;
    const done = (async () => {
      const { job, graph } = this.#job(platform, now);
      let runs: ProjectedRun[];
      try {
        runs = await projector.project(job, graph);
      } catch (caught) {
        this.#options.onProjectorError?.(caught instanceof Error ? caught : new Error(String(caught)));
        runs = runProjectionJob(job, graph);
      }
      return this.#keep(platform, now, taken, runs);
    })().finally(() => this.#refreshing.delete(platform));
    this.#refreshing.set(platform, { taken, done });
    return done;
  }

  #projectInLoop(platform: string, now: number): Projection {
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
    return this.#keep(platform, now, ++this.#taken, runs);
  }

  /** What the projector needs, taken from the live queue in one pass (the loop's only share of the work). */
  #job(platform: string, now: number): { readonly job: ProjectionJob; readonly graph: PortsGraph | null } {
    this.#learn();
    const { graph, db } = this.#options;
    const rates = { duration: runDuration(this.#history, graph), watcher: estimateWatcher(this.#history, platform), pushesPerMs: pushRate(selectPushTimes(db, now - PUSH_RATE_WINDOW_MS), now), now };
    return this.#options.peek(platform, (queue) => ({ job: projectionJob(queue, rates), graph: queue.graph }));
  }

  #keep(platform: string, now: number, taken: number, runs: readonly ProjectedRun[]): Projection {
    const byPort = new Map<string, ProjectedRun>();
    const byBuild = new Map<string, ProjectedRun>();
    for (const run of runs) {
      byBuild.set(run.buildId, run);
      if (run.port !== null && run.kind === 'builder') byPort.set(run.port.toLowerCase(), run);
      if (run.finish !== null && run.position > 0 && !this.#firstProjection.has(run.buildId)) this.#firstProjection.set(run.buildId, { at: now, mid: run.finish.mid });
    }
    const projection: Projection = { at: now, taken, runs, byPort, byBuild, inFlight: runs.filter((r) => r.state !== 'pending').length, shown: calibrator(this.#calibration) };
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
