/**
 * GitHub's documented secondary limits on writes ("Rate limits for the REST API"), as the
 * write pacer keeps under them: content-creating requests (80 a minute, 500 an hour), points
 * per minute per endpoint (900, a write costing 5). GitHub does not list which requests
 * create content; the pacer counts every POST (check-run creates and workflow dispatches, as
 * GitHub and its double count them, and also cancels, JIT configs and redeliveries), so it can
 * only be stricter than GitHub. Limits are sliding windows, as GitHub's are: a token bucket
 * refilled at 80 a minute would let 80 + 80 through in one sliding minute.
 */
export interface WriteLimits {
  /** Content-creating requests a minute and an hour, all classes together. */
  readonly contentPerMinute: number;
  readonly contentPerHour: number;
  /** Of those, how many may be `other` writes (check publishing, redeliveries): the rest is kept for dispatch-class writes. */
  readonly otherContentPerMinute: number;
  readonly otherContentPerHour: number;
  /** Writes a minute to one endpoint (GitHub: 900 points, 5 a write: 180). */
  readonly writesPerMinutePerEndpoint: number;
}

/**
 * GitHub's values with a 10 % margin (72 of 80, 450 of 500, 162 of 180 writes); other writes
 * at most 40 a minute and 250 an hour (check publishing's pacer keeps the same), so dispatch,
 * cancel, JIT config and runner deletion always have 32 a minute and 200 an hour.
 */
export const GITHUB_WRITE_LIMITS: WriteLimits = {
  contentPerMinute: 72,
  contentPerHour: 450,
  otherContentPerMinute: 40,
  otherContentPerHour: 250,
  writesPerMinutePerEndpoint: 162,
};

/** `dispatch`: dispatch, cancel, JIT config, runner deletion (the installation client); `other`: everything else. */
export type WriteClass = 'dispatch' | 'other';

export interface PacedWrite {
  readonly writeClass: WriteClass;
  readonly method: string;
  /** The route (method and URL template): points are counted per endpoint. */
  readonly endpoint: string;
}

export interface SentWrite extends PacedWrite {
  /** When it was let through (ms on the pacer's clock). */
  readonly at: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Whether GitHub may count a write as content-creating (every POST, see above). */
export function isContentCreating(method: string): boolean {
  return method.toUpperCase() === 'POST';
}

/** Ms until one more event fits a window of `lengthMs` that holds at most `limit` (times ascending). */
function windowWait(times: readonly number[], nowMs: number, lengthMs: number, limit: number): number {
  const inWindow = times.filter((t) => t > nowMs - lengthMs);
  if (inWindow.length < limit) return 0;
  return (inWindow[inWindow.length - limit] ?? nowMs) + lengthMs - nowMs;
}

/**
 * How long `write` must wait so that, sent now, no window holds more than its limit (0: send
 * now). `sent` is what was let through in the last hour, oldest first.
 */
export function writeDelay(write: PacedWrite, sent: readonly SentWrite[], nowMs: number, limits: WriteLimits): number {
  const sameEndpoint = sent.filter((s) => s.endpoint === write.endpoint).map((s) => s.at);
  const waits = [windowWait(sameEndpoint, nowMs, MINUTE, limits.writesPerMinutePerEndpoint)];
  if (isContentCreating(write.method)) {
    const content = sent.filter((s) => isContentCreating(s.method));
    const times = content.map((s) => s.at);
    waits.push(windowWait(times, nowMs, MINUTE, limits.contentPerMinute), windowWait(times, nowMs, HOUR, limits.contentPerHour));
    if (write.writeClass === 'other') {
      // Other writes count against their own share too, so dispatch-class writes always have the rest of the whole.
      const others = content.filter((s) => s.writeClass === 'other').map((s) => s.at);
      waits.push(windowWait(others, nowMs, MINUTE, limits.otherContentPerMinute), windowWait(others, nowMs, HOUR, limits.otherContentPerHour));
    }
  }
  return Math.max(0, ...waits);
}

/** Refuses limits that cannot hold (what the config or a test gives), naming the value and the fix. */
export function checkWriteLimits(limits: WriteLimits): WriteLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`write limit ${name} ${String(value)} must be a whole number of at least 1`);
  }
  if (limits.otherContentPerMinute >= limits.contentPerMinute || limits.otherContentPerHour >= limits.contentPerHour) {
    throw new Error(`other writes' share (${limits.otherContentPerMinute}/min, ${limits.otherContentPerHour}/h) must be below the whole (${limits.contentPerMinute}/min, ${limits.contentPerHour}/h), or dispatch would have nothing left`);
  }
  return limits;
}
