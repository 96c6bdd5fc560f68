/** How far back the push rate looks: long enough to hold a few pushes on a quiet day. */
export const PUSH_RATE_WINDOW_MS = 24 * 3_600_000;

/**
 * Recent pushes per ms: those in the last `windowMs` before `now`, over the window (or over
 * the time since the first push seen, when that is shorter and held at least two).
 * `times` is oldest first; the caller drops what fell out of the window.
 */
export function pushRate(times: readonly number[], now: number, windowMs = PUSH_RATE_WINDOW_MS): number {
  let count = 0;
  let first = Infinity;
  for (const t of times) {
    if (t > now || t <= now - windowMs) continue;
    count += 1;
    first = Math.min(first, t);
  }
  if (count === 0) return 0;
  const span = count >= 2 ? Math.min(windowMs, Math.max(now - first, 60_000)) : windowMs;
  return count / span;
}
