import type { ApiBudget } from './api-budget.ts';
import type { ApiClock } from './api-clock.ts';
import { rateLimitAnswerOf } from './rate-limit-answer.ts';

/** The pause GitHub asked for (a rate limit), for a caller that would rather wait it out than fail. */
export interface GitHubPause {
  /** Resolves once GitHub's pause is over, or after at least `floorMs` when none is known; rejects when `signal` aborts. */
  waitOut(signal: AbortSignal): Promise<void>;
}

/** What a refusal for a rate limit leaves to wait when the budget knows of no pause (a `retry-after: 0`). */
const FLOOR_MS = 1000;

/** The installation's pause on its own clock (GitHub time in a time-compressed benchmark). */
export function githubPauseOf(budget: Pick<ApiBudget, 'pausedFor'>, clock: ApiClock): GitHubPause {
  return {
    waitOut: (signal) => clock.sleep(Math.max(budget.pausedFor(clock.now()), FLOOR_MS), signal),
  };
}

/**
 * Whether GitHub certainly did nothing with the request that failed, here or in any error it
 * wraps: never sent during a pause, or refused for a rate limit (GitHubError's `notProcessed`,
 * or octokit's own error for such a refusal).
 */
export function isNotProcessed(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    if ((e as { notProcessed?: unknown }).notProcessed === true || rateLimitAnswerOf(e, 0) !== undefined) return true;
  }
  return false;
}
