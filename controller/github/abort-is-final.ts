import type { Octokit } from '@octokit/core';
import { GitHubError } from './github-error.ts';

/**
 * An octokit plugin, to be listed before plugin-retry so that it wraps the request inside the
 * retries: a request whose signal was aborted fails for good. Without it fetch's abort becomes a
 * status-500 RequestError, which plugin-retry tried again three times, 1 + 4 + 9 s apart, each
 * failing at once on the same aborted signal (9 s gaps in the demo's stop).
 */
export function abortIsFinal(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (error) {
      const signal = (options.request as { readonly signal?: AbortSignal } | undefined)?.signal;
      if (signal?.aborted !== true) throw error;
      const reason: unknown = signal.reason;
      const why = reason instanceof Error ? reason.message : String(reason);
      // No `request.request` on it: plugin-retry only retries errors that carry the request options.
      throw new GitHubError(`${options.method} ${options.url} was aborted: ${why}`, { status: 0, method: options.method, url: options.url, retryable: false, cause: error });
    }
  });
}
