import type { DurationEstimate } from './duration-estimate.ts';
import { median, portKey, sizeBucket, type DurationHistory } from './duration-history.ts';

/** Spread of one port's builds when too few have been seen to measure it (log units: ±28 % at 1 σ). */
const DEFAULT_SPREAD = 0.25;
/** A bucket of similar closure size needs this many builds before it is believed over the platform as a whole. */
const MIN_BUCKET = 5;

/**
 * The expected duration of building `port` on `platform`, from what has been seen (see
 * DurationHistory), most specific first:
 *   1. the port's own last builds on the platform: their median (robust to one odd build),
 *      spread = the per-build variation measured over all ports (or its own, if wider);
 *   2. its builds on another platform, scaled by the speed ratio of the two platforms;
 *   3. builds on the platform of ports with a closure of similar size (that bucket, or it and
 *      its neighbours), with the bucket's own spread;
 *   4. every recent build on the platform.
 * Undefined when nothing was seen on the platform and the port never built anywhere: the
 * answer is "unknown" rather than a guess.
 */
export function estimateBuild(history: DurationHistory, platform: string, port: string, closureSize: number | null): DurationEstimate | undefined {
  const perBuild = perBuildSpread(history);
  const own = history.byPort.get(portKey(platform, port));
  if (own !== undefined && own.length > 0) {
    return { median: Math.exp(median(own)), sigma: Math.max(perBuild, logSd(own)), source: 'port', samples: own.length, shared: 0 };
  }
  const elsewhere = fromOtherPlatform(history, platform, port, perBuild);
  if (elsewhere !== undefined) return elsewhere;
  if (closureSize !== null) {
    const bucket = sizeBucket(closureSize);
    let logs = history.bySize.get(`${platform}\0${String(bucket)}`) ?? [];
    if (logs.length < MIN_BUCKET) {
      logs = [bucket - 1, bucket, bucket + 1].flatMap((b) => history.bySize.get(`${platform}\0${String(b)}`) ?? []);
    }
    if (logs.length >= MIN_BUCKET) return fromSamples(logs, 'similar-size', perBuild);
  }
  const all = history.byPlatform.get(platform) ?? [];
  if (all.length > 0) return fromSamples(all, 'platform', perBuild);
  return undefined;
}

/** A watcher's duration on the platform (sync the tree, list the ports); undefined before the first. */
export function estimateWatcher(history: DurationHistory, platform: string): DurationEstimate | undefined {
  const logs = history.watchers.get(platform);
  if (logs === undefined || logs.length === 0) return undefined;
  return { median: Math.exp(median(logs)), sigma: Math.max(DEFAULT_SPREAD, logSd(logs)), source: 'watcher', samples: logs.length, shared: 0 };
}

/** The per-build variation measured over ports built more than once; the default until a few such ports were seen. */
export function perBuildSpread(history: DurationHistory): number {
  const { sumSquares, dof } = history.spread;
  if (dof < 10) return DEFAULT_SPREAD;
  return Math.sqrt(sumSquares / dof);
}

function fromOtherPlatform(history: DurationHistory, platform: string, port: string, perBuild: number): DurationEstimate | undefined {
  let best: DurationEstimate | undefined;
  for (const other of history.platformsOf.get(port.toLowerCase()) ?? []) {
    if (other === platform) continue;
    const logs = history.byPort.get(portKey(other, port)) ?? [];
    if (logs.length === 0) continue;
    const ratio = history.ratios.get(`${platform}\0${other}`);
    // Without ports built on both, the platforms are taken as equally fast, with that doubt in the spread.
    const shift = ratio === undefined || ratio.count === 0 ? 0 : ratio.sum / ratio.count;
    const doubt = ratio === undefined || ratio.count < 5 ? 0.3 : 0.15;
    const estimate: DurationEstimate = {
      median: Math.exp(median(logs) + shift),
      sigma: Math.max(perBuild, logSd(logs)),
      source: 'port-elsewhere',
      samples: logs.length,
      shared: doubt,
    };
    if (best === undefined || estimate.samples > best.samples) best = estimate;
  }
  return best;
}

function fromSamples(logs: readonly number[], source: DurationEstimate['source'], perBuild: number): DurationEstimate {
  const sigma = Math.max(perBuild, logSd(logs));
  // The standard error of a median is about 1.25 times that of a mean.
  return { median: Math.exp(median(logs)), sigma, source, samples: logs.length, shared: (1.25 * sigma) / Math.sqrt(logs.length) };
}

/** Standard deviation of log durations; 0 for fewer than 3 (too few to say). */
function logSd(logs: readonly number[]): number {
  if (logs.length < 3) return 0;
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  return Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / (logs.length - 1));
}
