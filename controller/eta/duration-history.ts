/**
 * What the estimator has seen: the durations of finished runs, per port and platform (the
 * last few only, so a port that got faster is believed quickly), per platform and size of
 * dependency closure, and the speed ratio between platforms from ports built on both. Pure
 * data, fed one finished run at a time (from the ledger at start, then as builds finish);
 * it never sees a duration model, only what really ran.
 */
export interface DurationHistory {
  /** `platform\0port` (port lower-case) → log durations, oldest first, at most PER_PORT. */
  readonly byPort: Map<string, number[]>;
  /** port lower-case → platforms it was built on. */
  readonly platformsOf: Map<string, Set<string>>;
  /** `platform\0bucket` → log durations of builds whose closure size falls in the bucket, at most PER_BUCKET. */
  readonly bySize: Map<string, number[]>;
  /** platform → log durations of its last builds, at most PER_PLATFORM. */
  readonly byPlatform: Map<string, number[]>;
  /** platform → log durations of its last watchers, at most PER_PORT. */
  readonly watchers: Map<string, number[]>;
  /** `a\0b` → sum and count of log(duration on a ÷ duration on b) over ports seen on both. */
  readonly ratios: Map<string, { sum: number; count: number }>;
  /** Within-port spread: sum of squared deviations from each port's mean log, and degrees of freedom. */
  spread: { sumSquares: number; dof: number };
}

export const PER_PORT = 8;
const PER_BUCKET = 64;
const PER_PLATFORM = 512;

export interface FinishedRun {
  readonly platform: string;
  /** null for a watcher. */
  readonly port: string | null;
  /** From dispatch to finish: the time the run held its place on the platform. */
  readonly durationMs: number;
  /** Ports in the port's dependency closure; null when the graph does not know it. */
  readonly closureSize: number | null;
}

export function createDurationHistory(): DurationHistory {
  return { byPort: new Map(), platformsOf: new Map(), bySize: new Map(), byPlatform: new Map(), watchers: new Map(), ratios: new Map(), spread: { sumSquares: 0, dof: 0 } };
}

/** Closure sizes in powers of two: 0, 1, 2–3, 4–7, … builds with similar install-dependencies work. */
export function sizeBucket(closureSize: number): number {
  return Math.floor(Math.log2(closureSize + 1));
}

export function portKey(platform: string, port: string): string {
  return `${platform}\0${port.toLowerCase()}`;
}

/** Adds one successful run. Runs of zero or negative length (clock trouble) are ignored. */
export function recordRun(history: DurationHistory, run: FinishedRun): void {
  if (!(run.durationMs > 0) || !Number.isFinite(run.durationMs)) return;
  const log = Math.log(run.durationMs);
  if (run.port === null) {
    push(history.watchers, run.platform, log, PER_PORT);
    return;
  }
  const port = run.port.toLowerCase();
  const key = portKey(run.platform, port);
  const before = history.byPort.get(key);
  if (before !== undefined && before.length > 0) {
    // Spread of a port's builds around its own mean: the per-build variation the range must cover.
    const mean = before.reduce((s, v) => s + v, 0) / before.length;
    history.spread.sumSquares += ((log - mean) ** 2 * before.length) / (before.length + 1);
    history.spread.dof += 1;
  }
  push(history.byPort, key, log, PER_PORT);
  const platforms = history.platformsOf.get(port) ?? new Set<string>();
  platforms.add(run.platform);
  history.platformsOf.set(port, platforms);
  for (const other of platforms) {
    if (other === run.platform) continue;
    const there = history.byPort.get(portKey(other, port));
    if (there === undefined || there.length === 0) continue;
    const diff = log - median(there);
    addRatio(history, run.platform, other, diff);
    addRatio(history, other, run.platform, -diff);
  }
  if (run.closureSize !== null) push(history.bySize, `${run.platform}\0${String(sizeBucket(run.closureSize))}`, log, PER_BUCKET);
  push(history.byPlatform, run.platform, log, PER_PLATFORM);
}

function addRatio(history: DurationHistory, a: string, b: string, logRatio: number): void {
  const key = `${a}\0${b}`;
  const r = history.ratios.get(key) ?? { sum: 0, count: 0 };
  r.sum += logRatio;
  r.count += 1;
  history.ratios.set(key, r);
}

function push(map: Map<string, number[]>, key: string, value: number, limit: number): void {
  const list = map.get(key) ?? [];
  list.push(value);
  if (list.length > limit) list.shift();
  map.set(key, list);
}

/** Median of a non-empty list (a copy is sorted). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
