import type { Logger } from 'pino';
import type { WatcherRequest } from '../github/farm-events.ts';

/**
 * A pull request was opened or updated: only logged. PR heads run untrusted code: ports-pr.yml
 * builds them on its own pull_request trigger, with no secrets and no token, never through
 * ports.yml (which can deploy). The queue's PR class waits for a dispatchable PR workflow.
 */
export function createOnPullRequest(options: { readonly log: Logger }): (request: WatcherRequest, signal: AbortSignal) => Promise<void> {
  return (request) => {
    options.log.info({ deliveryId: request.deliveryId, prNumber: request.prNumber, platform: request.platform }, 'pull request: built by ports-pr.yml, not queued');
    return Promise.resolve();
  };
}
