import type { BudgetSnapshot } from './api-budget.ts';

export type CheckRequestKind = 'list' | 'create' | 'update';

/** How much of GitHub's limits check publishing may use; the rest is dispatch's. */
export interface CheckPacingLimits {
  /** The share of the hour's primary budget checks never spend (default 0.5: half the hour is dispatch's). */
  readonly reserveFraction: number;
  /** Check-run creates (content-creating: GitHub allows 80/min and 500/h for everything). */
  readonly createsPerMinute: number;
  readonly createsPerHour: number;
  /** Every check request (900 points/min per endpoint, a write costing 5). */
  readonly requestsPerMinute: number;
}

/** Half of each of GitHub's limits: dispatches, cancels and JIT configs share the other half. */
export const DEFAULT_CHECK_PACING: CheckPacingLimits = { reserveFraction: 0.5, createsPerMinute: 40, createsPerHour: 250, requestsPerMinute: 60 };

export interface CheckRequestSent {
  readonly at: number;
  readonly kind: CheckRequestKind;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Ms until `count` more events fit in a window of `lengthMs` holding at most `limit` (times ascending). */
function windowWait(times: readonly number[], nowMs: number, lengthMs: number, limit: number): number {
  const inWindow = times.filter((t) => t > nowMs - lengthMs);
  if (inWindow.length < limit) return 0;
  return (inWindow[inWindow.length - limit] ?? nowMs) + lengthMs - nowMs;
}

/**
 * How long the next check request must wait (0: send now). Checks degrade before dispatch
 * ever waits: nothing while GitHub asked for a pause; nothing once the budget is down to the
 * reserve (until the hour resets); otherwise what is left above the reserve is spread over
 * the rest of the hour, and creates and requests stay under their share of the secondary limits.
 */
export function checkRequestDelay(kind: CheckRequestKind, budget: BudgetSnapshot, sent: readonly CheckRequestSent[], nowMs: number, limits: CheckPacingLimits): number {
  const waits: number[] = [];
  if (budget.pausedUntil !== null) waits.push(budget.pausedUntil - nowMs);
  if (budget.limit !== null && budget.remaining !== null) {
    const spendable = budget.remaining - budget.limit * limits.reserveFraction;
    const untilReset = budget.resetAt === null ? MINUTE : Math.max(0, budget.resetAt - nowMs);
    const last = sent.at(-1)?.at;
    if (spendable < 1) waits.push(untilReset);
    else if (last !== undefined) waits.push(last + untilReset / spendable - nowMs);
  }
  waits.push(windowWait(sent.map((s) => s.at), nowMs, MINUTE, limits.requestsPerMinute));
  if (kind === 'create') {
    const creates = sent.filter((s) => s.kind === 'create').map((s) => s.at);
    waits.push(windowWait(creates, nowMs, MINUTE, limits.createsPerMinute), windowWait(creates, nowMs, HOUR, limits.createsPerHour));
  }
  return Math.max(0, ...waits);
}

/**
 * The check publisher's `pace` hook: waits as `checkRequestDelay` says before each check
 * request, on the API clock, and remembers the last hour of check requests.
 */
export class CheckPacer {
  readonly #sent: CheckRequestSent[] = [];
  readonly #budget: { snapshot(nowMs: number): BudgetSnapshot };
  readonly #clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  readonly #limits: CheckPacingLimits;

  constructor(options: { readonly budget: { snapshot(nowMs: number): BudgetSnapshot }; readonly clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> }; readonly limits?: CheckPacingLimits }) {
    this.#budget = options.budget;
    this.#clock = options.clock;
    this.#limits = options.limits ?? DEFAULT_CHECK_PACING;
  }

  readonly pace = async (kind: CheckRequestKind, signal: AbortSignal): Promise<void> => {
    for (;;) {
      const now = this.#clock.now();
      const delay = checkRequestDelay(kind, this.#budget.snapshot(now), this.#sent, now, this.#limits);
      if (delay <= 0) break;
      // Waited in steps of at most a minute: a pause or a reset seen meanwhile changes the answer.
      await this.#clock.sleep(Math.min(delay, 60_000), signal);
    }
    const now = this.#clock.now();
    while ((this.#sent[0]?.at ?? now) <= now - HOUR) this.#sent.shift();
    this.#sent.push({ at: now, kind });
  };
}
