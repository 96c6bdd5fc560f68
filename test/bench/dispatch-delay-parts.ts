// What a dispatch's delay (a platform's next build dispatchable → its workflow_dispatch
// answered) is made of, for bench:api-budget. Every time is GitHub ms.

/** One request on the wire, as the bench's fetch saw it. */
export interface WireRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
}

/** The moments of one dispatch, from the platform's next build becoming dispatchable to the answer. */
export interface DispatchTiming {
  readonly dispatchableAt: number;
  /** Start of the scheduling round that first tried to dispatch the build. */
  readonly roundStartAt: number;
  /** The gateway's first `dispatch` call for the build (an earlier one may have failed). */
  readonly firstCallAt: number;
  /** The gateway's `dispatch` call that succeeded. */
  readonly callAt: number;
  /** How long GitHub's pause (a rate limit) still lasted at `callAt`. */
  readonly pausedAtCall: number;
  /** The successful call's first and last request on the wire (more than one: a refusal retried inside the request). */
  readonly firstSentAt: number;
  readonly lastSentAt: number;
  readonly returnedAt: number;
}

export const DELAY_PARTS = ['waitForRound', 'roundWorkBefore', 'writeQueue', 'rateLimitWait', 'request'] as const;
export type DelayPart = (typeof DELAY_PARTS)[number];

/** The parts of one dispatch's delay; they add up to `returnedAt - dispatchableAt`. */
export function delayParts(t: DispatchTiming): Record<DelayPart, number> {
  const roundBegins = Math.max(t.roundStartAt, t.dispatchableAt);
  const pauseWait = Math.max(0, Math.min(t.pausedAtCall, t.firstSentAt - t.callAt));
  return {
    // Waiting for a round to start (the one running when the build became dispatchable ends first).
    waitForRound: Math.max(0, t.roundStartAt - t.dispatchableAt),
    // The round's own work before it called dispatch for this build (other platforms' dispatches, cancels, …).
    roundWorkBefore: Math.max(0, t.firstCallAt - roundBegins),
    // Called, not yet on the wire: the write queue (and octokit's concurrency limit).
    writeQueue: Math.max(0, t.firstSentAt - t.callAt - pauseWait),
    // GitHub's pause waited, earlier refused/failed attempts, refusals retried inside the request.
    rateLimitWait: pauseWait + Math.max(0, t.callAt - t.firstCallAt) + Math.max(0, t.lastSentAt - t.firstSentAt),
    // On the wire until the gateway returned.
    request: Math.max(0, t.returnedAt - t.lastSentAt),
  };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
const seconds = (ms: number): number => Math.round(ms / 100) / 10;

export interface DelayBreakdown {
  /** p50 and p95 of each part over every dispatch (GitHub s). */
  readonly parts: Record<DelayPart, { p50: number; p95: number }>;
  /** The mean of each part over the slowest 5 % of dispatches (GitHub s): what the p95 is made of. */
  readonly slowestMeans: Record<DelayPart, number>;
  /** The requests the round sent before the slowest 5 % of dispatches were called, by method and route. */
  readonly slowestRoundRequests: Record<string, number>;
}

/** The breakdown over all dispatches; `wire` is every request sent, oldest first. */
export function delayBreakdown(timings: readonly DispatchTiming[], wire: readonly WireRequest[]): DelayBreakdown {
  const all = timings.map((t) => ({ t, parts: delayParts(t), total: t.returnedAt - t.dispatchableAt }));
  const parts = {} as Record<DelayPart, { p50: number; p95: number }>;
  for (const part of DELAY_PARTS) {
    const sorted = all.map((d) => d.parts[part]).sort((a, b) => a - b);
    parts[part] = { p50: seconds(percentile(sorted, 50)), p95: seconds(percentile(sorted, 95)) };
  }
  const byTotal = [...all].sort((a, b) => a.total - b.total);
  const slowest = byTotal.slice(Math.min(byTotal.length, Math.floor(byTotal.length * 0.95)));
  const slowestMeans = {} as Record<DelayPart, number>;
  for (const part of DELAY_PARTS) slowestMeans[part] = slowest.length === 0 ? 0 : seconds(slowest.reduce((sum, d) => sum + d.parts[part], 0) / slowest.length);
  const slowestRoundRequests: Record<string, number> = {};
  for (const { t } of slowest) {
    const from = Math.max(t.roundStartAt, t.dispatchableAt);
    for (const r of wire) {
      if (r.at < from) continue;
      if (r.at >= t.firstCallAt) break;
      const route = `${r.method} ${r.path.replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/{sha}').replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
      slowestRoundRequests[route] = (slowestRoundRequests[route] ?? 0) + 1;
    }
  }
  return { parts, slowestMeans, slowestRoundRequests };
}
