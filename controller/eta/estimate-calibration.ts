import type { EtaRange } from './time-moments.ts';

/** Outcomes kept per length of wait: enough for stable 20th/80th percentiles, few enough to follow a change of load. */
const KEEP = 200;
/** Fewer outcomes than this for a length of wait: its neighbours are pooled in; none near: the projection's own range. */
const MIN_OUTCOMES = 30;
const MINUTE = 60_000;
/** Waits in powers of two of minutes, up to about 45 days. */
const BUCKETS = 17;

/**
 * How the projection's estimates turned out: log(actual wait ÷ projected wait) of the last
 * builds that finished, by length of the projected wait (a wait of minutes and one of days
 * go wrong differently: the first by one build's variation, the second by what arrives in the
 * meantime). The projection adds up expected durations as if they were independent and
 * nothing else arrived; what it cannot see — dependencies pulled forward by newer lists,
 * bursts of pushes, a port estimated from the wrong neighbours — shows up here, so the range
 * shown is corrected by what was seen, never by a model of it.
 */
export interface EstimateCalibration {
  /** bucket → log ratios, oldest first. */
  readonly logRatios: number[][];
  /** Times of the projections an outcome was taken from, per bucket (one each: see recordOutcome). */
  readonly taken: Set<string>;
}

export function createEstimateCalibration(): EstimateCalibration {
  return { logRatios: Array.from({ length: BUCKETS }, () => []), taken: new Set() };
}

function bucketOf(wait: number): number {
  return Math.min(BUCKETS - 1, Math.max(0, Math.floor(Math.log2(Math.max(wait, MINUTE) / MINUTE))));
}

/**
 * A build finished at `actual`; at `at` the projection (uncalibrated) had said `projected`.
 * One outcome per projection and length of wait: the builds of one list share the errors of
 * the projection that placed them (a big list estimated from a poor prior is wrong the same
 * way seven hundred times), and seven hundred copies of one error would drown every other.
 */
export function recordOutcome(calibration: EstimateCalibration, at: number, projected: number, actual: number): void {
  if (!(projected > at) || !(actual > at)) return;
  const bucket = bucketOf(projected - at);
  const list = calibration.logRatios[bucket];
  const key = `${String(at)}:${String(bucket)}`;
  if (list === undefined || calibration.taken.has(key)) return;
  calibration.taken.add(key);
  if (calibration.taken.size > 4 * KEEP * BUCKETS) calibration.taken.delete(calibration.taken.values().next().value ?? key);
  list.push(Math.log((actual - at) / (projected - at)));
  if (list.length > KEEP) list.shift();
}

interface Band {
  readonly shift: number;
  readonly below: number;
  readonly above: number;
}

/**
 * The range to show for a projection made at `at`: the projected wait scaled by the median of
 * past outcomes for waits of that length, and its 20th–80th percentile widened to at least
 * their 10th–90th. Unchanged while too few outcomes were seen. Returns a function: the quantiles are
 * taken once for a whole projection.
 */
export function calibrator(calibration: EstimateCalibration): (at: number, range: EtaRange) => EtaRange {
  const bands = new Map<number, Band | null>();
  const band = (bucket: number): Band | null => {
    if (bands.has(bucket)) return bands.get(bucket) ?? null;
    let pooled: number[] = [];
    for (let reach = 0; reach < BUCKETS && pooled.length < MIN_OUTCOMES; reach++) {
      pooled = calibration.logRatios.slice(Math.max(0, bucket - reach), bucket + reach + 1).flat();
      if (reach >= 2) break;
    }
    let result: Band | null = null;
    if (pooled.length >= MIN_OUTCOMES) {
      const sorted = pooled.sort((a, b) => a - b);
      const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      const shift = q(0.5);
      // The 10th–90th percentile of past outcomes for the 20th–80th shown: those outcomes are of
      // estimates made under an earlier queue, and a new estimate also carries the drift since.
      result = { shift, below: q(0.1), above: q(0.9) };
    }
    bands.set(bucket, result);
    return result;
  };
  return (at, range) => {
    const span = range.mid - at;
    if (!(span > 0)) return range;
    const b = band(bucketOf(span));
    if (b === null) return range;
    // The projection's own range, as it is and moved by the past bias, and the past outcomes'
    // 10th–90th percentile: whether this projection errs like the past ones is not known.
    const lowModel = Math.log(Math.max(range.low - at, 1) / span);
    const highModel = Math.log(Math.max(range.high - at, 1) / span);
    const low = Math.min(lowModel, lowModel + b.shift, b.below);
    const high = Math.max(highModel, highModel + b.shift, b.above);
    return { low: at + span * Math.exp(low), mid: at + span * Math.exp(b.shift), high: at + span * Math.exp(high) };
  };
}
