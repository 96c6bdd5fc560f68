import { cloneQueue } from '../queue/core/clone-queue.ts';
import { markDispatching } from '../queue/core/mark-dispatching.ts';
import { markFinished } from '../queue/core/mark-run.ts';
import type { PlatformQueue } from '../queue/core/platform-queue.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';
import { selectNext } from '../queue/core/select-next.ts';
import type { DurationEstimate, EstimateSource } from './duration-estimate.ts';
import { add, momentsOf, toRange, ZERO, type EtaRange, type TimeMoments } from './time-moments.ts';

export interface ProjectionInput {
  readonly queue: PlatformQueue;
  readonly now: number;
  /** Runs the platform takes at once (parallel lanes); default: the queue's own (`platforms[].parallelBuilds`). */
  readonly lanes?: number;
  /** A run's expected duration, from what was seen (estimateBuild / estimateWatcher); undefined: unknown. */
  readonly duration: (entry: QueueEntry) => DurationEstimate | undefined;
  /** Recent pushes per ms on the default branch: each brings a watcher that goes ahead of the builders. */
  readonly pushesPerMs: number;
  /** A watcher's expected duration on the platform, for the watchers still to come; undefined: none expected. */
  readonly watcher: DurationEstimate | undefined;
  /**
   * The core's choice of the next run (default selectNext): the projection asks it again and
   * again on a copy of the queue, so it follows whatever rules the core has (watchers first,
   * dependency pull-forward, lanes, blocked ports) instead of a second copy of them.
   */
  readonly select?: (queue: PlatformQueue) => QueueEntry | null;
  /** Project at most this many runs (a bound on the work); those after are unknown. */
  readonly limit?: number;
}

export type UnknownReason = 'no-history' | 'not-selected' | 'beyond-limit';

export interface ProjectedRun {
  readonly buildId: string;
  readonly kind: QueueEntry['kind'];
  readonly port: string | null;
  /** As the queue has it now. */
  readonly state: 'pending' | 'dispatched' | 'started';
  /** 1 = the next run to be dispatched; 0 for runs already in flight. */
  readonly position: number;
  readonly start: EtaRange | null;
  readonly finish: EtaRange | null;
  /** What the run's own duration rests on. */
  readonly basis: EstimateSource | null;
  /** Why start/finish are null: nothing seen to estimate from, the core never chose it (blocked), or past the limit. */
  readonly unknown: UnknownReason | null;
}

interface Lane {
  /** When the lane is free again, as a span from now; null: unknown (an unknown run is ahead). */
  free: TimeMoments | null;
  running: QueueEntry | null;
  finish: TimeMoments | null;
  /** Expected length of the run on the lane (ms). */
  length: number;
}

/**
 * Every pending and in-flight run of a platform with its estimated start and finish: the core
 * replays the queue on a copy, each run taking its expected duration, and each finished
 * builder is followed by the watchers expected to arrive meanwhile (they go first). Nothing
 * new arriving is assumed beyond those watchers; their own builders come after the pending
 * lists, except ahead of a forced rebuild's, which this does not model.
 */
export function projectQueue(input: ProjectionInput): ProjectedRun[] {
  const { now, duration } = input;
  const select = input.select ?? selectNext;
  const limit = input.limit ?? Infinity;
  const { copy, originals } = cloneQueue(input.queue);
  const out: ProjectedRun[] = [];
  const original = (entry: QueueEntry): QueueEntry => originals.get(entry) ?? entry;
  const lanes: Lane[] = Array.from({ length: Math.max(1, input.lanes ?? copy.lanes, copy.inFlight.length) }, (): Lane => ({ free: ZERO, running: null, finish: null, length: 0 }));

  copy.inFlight.forEach((entry, i) => {
    const lane = lanes[i];
    if (lane === undefined) return;
    const estimate = duration(entry);
    const since = entry.dispatchedAt ?? now;
    lane.running = entry;
    lane.finish = estimate === undefined ? null : remaining(momentsOf(estimate), now - since);
    lane.length = lane.finish?.mean ?? 0;
    out.push(run(original(entry), 0, estimate === undefined ? null : { low: since, mid: since, high: since }, lane.finish, estimate));
  });

  let position = 0;
  for (;;) {
    // Dispatch onto every free lane, earliest free first, while the core offers a run.
    for (const lane of freeLanes(lanes)) {
      if (position >= limit) break;
      const next = select(copy);
      if (next === null) break;
      markDispatching(copy, next, now);
      position += 1;
      const estimate = duration(next);
      lane.running = next;
      lane.length = estimate === undefined ? 0 : momentsOf(estimate).mean;
      lane.finish = lane.free === null || estimate === undefined ? null : add(lane.free, momentsOf(estimate));
      out.push(run(original(next), position, lane.free, lane.finish, estimate));
    }
    const busy = earliestFinish(lanes);
    if (busy === undefined) break;
    const done = busy.running;
    if (done === null) break;
    markFinished(copy, done, 'success', now);
    busy.running = null;
    busy.free = busy.finish === null ? null : add(busy.finish, done.kind === 'builder' ? watchersAfter(input, busy.length) : ZERO);
    busy.finish = null;
  }

  // What the core never chose (blocked, or past the limit) stays unknown.
  for (const entry of copy.entries.values()) {
    if (entry.state !== 'pending') continue;
    out.push({ buildId: entry.buildId, kind: entry.kind, port: entry.port, state: 'pending', position: 0, start: null, finish: null, basis: null, unknown: position >= limit ? 'beyond-limit' : 'not-selected' });
  }
  return out;

  function run(entry: QueueEntry, at: number, start: TimeMoments | EtaRange | null, finish: TimeMoments | null, estimate: DurationEstimate | undefined): ProjectedRun {
    const startRange = start === null ? null : 'mid' in start ? start : toRange(now, start);
    const known = startRange !== null && finish !== null;
    return {
      buildId: entry.buildId,
      kind: entry.kind,
      port: entry.port,
      state: entry.state === 'finished' ? 'started' : entry.state,
      position: at,
      start: known ? startRange : null,
      finish: known ? toRange(now, finish) : null,
      basis: estimate?.source ?? null,
      unknown: known ? null : 'no-history',
    };
  }
}

/** A run already `elapsed` ms in: what is left of it, never less than a tenth of its expected length. */
function remaining(total: TimeMoments, elapsed: number): TimeMoments {
  return { mean: Math.max(total.mean - elapsed, total.mean / 10), variance: total.variance, shared: total.shared };
}

function freeLanes(lanes: readonly Lane[]): Lane[] {
  return lanes.filter((l) => l.running === null).sort((a, b) => (a.free?.mean ?? Infinity) - (b.free?.mean ?? Infinity));
}

function earliestFinish(lanes: readonly Lane[]): Lane | undefined {
  let best: Lane | undefined;
  for (const lane of lanes) {
    if (lane.running === null) continue;
    if (best === undefined || (lane.finish?.mean ?? Infinity) < (best.finish?.mean ?? Infinity)) best = lane;
  }
  return best;
}

/**
 * The watchers expected between this builder's end and the next builder: pushes arrive at the
 * recent rate; those during the build merge into one watcher (coalescing), and pushes during
 * that watcher bring another.
 */
function watchersAfter(input: ProjectionInput, built: number): TimeMoments {
  const rate = input.pushesPerMs;
  if (!(rate > 0) || input.watcher === undefined) return ZERO;
  const w = momentsOf(input.watcher);
  const p = -Math.expm1(-rate * built);
  const count = p * Math.exp(rate * w.mean);
  return { mean: count * w.mean, variance: count * w.variance + w.mean * w.mean * p * (1 - p), shared: count * w.shared };
}
