import type { RateLimitAnswer } from './rate-limit-answer.ts';

type Headers = Readonly<Record<string, string | number | undefined>>;

/** What the controller knows of its GitHub API budget (the installation's primary limit). */
export interface BudgetSnapshot {
  /** The hour's limit, and what is left of it, as GitHub's last answer said; null before one. */
  readonly limit: number | null;
  readonly remaining: number | null;
  /** When the hour's window ends (epoch ms), or null. */
  readonly resetAt: number | null;
  /** Until when GitHub asked for no requests (a `retry-after`, a spent budget), or null. */
  readonly pausedUntil: number | null;
  /** Why (GitHub's message), while paused. */
  readonly pauseReason: string | null;
  /** Refusals seen so far, by limit. */
  readonly rateLimited: { readonly primary: number; readonly secondary: number };
}

/**
 * The installation's API budget, read from the `x-ratelimit-*` headers of every answer and the
 * refusals GitHub sends. Dispatch reads it to know when not to ask (a pause); the check worker
 * to spend only what dispatch does not need; `/metrics`, `/api/status` and the TUI show it.
 * Only answers to installation requests feed it (App JWT calls have a budget of their own).
 */
export class ApiBudget {
  #limit: number | null = null;
  #remaining: number | null = null;
  #resetAt: number | null = null;
  #pausedUntil: number | null = null;
  #pauseReason: string | null = null;
  readonly #rateLimited = { primary: 0, secondary: 0 };

  /** An answer's headers (success or failure). A window's reset never goes back, a later answer wins. */
  observe(headers: Headers): void {
    const limit = Number(headers['x-ratelimit-limit']);
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    if (headers['x-ratelimit-limit'] === undefined || !Number.isFinite(limit) || !Number.isFinite(remaining)) return;
    const resetAt = Number.isFinite(reset) ? reset * 1000 : null;
    // Answers arrive out of order: within one window the lowest `remaining` is the newest.
    if (resetAt !== null && resetAt === this.#resetAt && this.#remaining !== null && remaining > this.#remaining) return;
    this.#limit = limit;
    this.#remaining = remaining;
    this.#resetAt = resetAt;
  }

  /** GitHub refused a request for a rate limit: nothing is asked until it said to wait. */
  limited(answer: RateLimitAnswer, nowMs: number): void {
    this.#rateLimited[answer.kind] += 1;
    const until = nowMs + answer.waitMs;
    if (this.#pausedUntil === null || until > this.#pausedUntil) {
      this.#pausedUntil = until;
      this.#pauseReason = answer.message;
    }
  }

  /** Ms until requests may go out again (0: now). */
  pausedFor(nowMs: number): number {
    if (this.#pausedUntil === null || this.#pausedUntil <= nowMs) return 0;
    return this.#pausedUntil - nowMs;
  }

  /** The share of the hour's budget left (1 before any answer, or once the window has reset). */
  fractionLeft(nowMs: number): number {
    if (this.#limit === null || this.#remaining === null || this.#limit === 0) return 1;
    if (this.#resetAt !== null && this.#resetAt <= nowMs) return 1;
    return this.#remaining / this.#limit;
  }

  snapshot(nowMs: number): BudgetSnapshot {
    const paused = this.pausedFor(nowMs) > 0;
    const stale = this.#resetAt !== null && this.#resetAt <= nowMs;
    return {
      limit: this.#limit,
      remaining: stale ? this.#limit : this.#remaining,
      resetAt: stale ? null : this.#resetAt,
      pausedUntil: paused ? this.#pausedUntil : null,
      pauseReason: paused ? this.#pauseReason : null,
      rateLimited: { ...this.#rateLimited },
    };
  }
}

/** The operator's alert when less than `threshold` of the hour's budget is left (TUI Alerts pane). */
export function budgetAlert(snapshot: BudgetSnapshot, nowMs: number, threshold = 0.2): string | null {
  const { limit, remaining, resetAt, pausedUntil, pauseReason } = snapshot;
  if (pausedUntil !== null) {
    return `GitHub API paused for ${Math.ceil((pausedUntil - nowMs) / 1000)} s by GitHub (${pauseReason ?? 'rate limit'}); dispatch resumes then, check runs wait`;
  }
  if (limit === null || remaining === null || limit === 0 || remaining / limit >= threshold) return null;
  const minutes = resetAt === null ? null : Math.max(0, Math.ceil((resetAt - nowMs) / 60_000));
  return `GitHub API budget low: ${remaining} of ${limit} requests left (${Math.floor((remaining / limit) * 100)} %)${minutes === null ? '' : `, resets in ${minutes} min`}; check runs are held back for dispatch`;
}
