import type { ApiBudget } from './api-budget.ts';
import type { ApiClock } from './api-clock.ts';

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
