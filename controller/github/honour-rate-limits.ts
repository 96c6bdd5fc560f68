import type { Octokit } from '@octokit/core';
import type { Logger } from 'pino';
import type { ApiBudget } from './api-budget.ts';
import type { ApiClock } from './api-clock.ts';
import { GitHubError } from './github-error.ts';
import { rateLimitAnswerOf } from './rate-limit-answer.ts';

export interface HonourRateLimitsOptions {
  /** Fed with every answer's `x-ratelimit-*` headers and every refusal. */
  readonly budget: ApiBudget;
  readonly clock: ApiClock;
  /**
   * The longest wait taken inside a request before trying it again. A longer one (a spent
   * hour, a minute's secondary limit) fails the request at once with GitHub's reason, so the
   * scheduling round is never held: the caller's own retry (the next round, the check worker) waits.
   */
  readonly maxInlineWaitMs: number;
  /** Tries after a rate-limit refusal whose wait is short enough. */
  readonly retries: number;
  readonly log: Logger;
}

interface RequestOptionsShape {
  readonly method?: string;
  readonly url?: string;
  readonly request?: { readonly signal?: AbortSignal };
}

/**
 * Makes an octokit client wait as GitHub asks ("Rate limits for the REST API": `retry-after`,
 * `x-ratelimit-reset`, a minute otherwise) on the controller's clock, and never send while a
 * pause GitHub asked for lasts. Registered after the plugins, so it is the outermost layer and
 * sees a refusal once octokit's own plugins gave up on it.
 */
export function honourRateLimits(octokit: Pick<Octokit, 'hook'>, options: HonourRateLimitsOptions): void {
  const { budget, clock, log } = options;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    const shape = requestOptions as RequestOptionsShape;
    const signal = shape.request?.signal;
    for (let attempt = 0; ; attempt += 1) {
      const paused = budget.pausedFor(clock.now());
      if (paused > options.maxInlineWaitMs) {
        const { pauseReason } = budget.snapshot(clock.now());
        throw new GitHubError(`not sent: GitHub asked for no requests for another ${Math.ceil(paused / 1000)} s (${pauseReason ?? 'rate limit'}); retried after that`, {
          status: 429,
          method: shape.method ?? '?',
          url: shape.url ?? '?',
          retryable: true,
          notProcessed: true,
        });
      }
      if (paused > 0) await clock.sleep(paused, signal);
      try {
        const response = await request(requestOptions);
        budget.observe(response.headers);
        return response;
      } catch (err) {
        const headers = (err as { response?: { headers?: Record<string, string | number | undefined> } }).response?.headers;
        if (headers !== undefined) budget.observe(headers);
        const answer = rateLimitAnswerOf(err, clock.now());
        if (answer === undefined) throw err;
        budget.limited(answer, clock.now());
        const retry = attempt < options.retries && answer.waitMs <= options.maxInlineWaitMs;
        log.warn({ kind: answer.kind, waitMs: answer.waitMs, method: shape.method, url: shape.url, attempt, retry }, `GitHub ${answer.kind} rate limit: ${answer.message}`);
        if (!retry) throw err;
      }
    }
  });
}
