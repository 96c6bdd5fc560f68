import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';
import { SettableStatusFeed } from '../status/settable-status-feed.ts';
import type { GithubApiStatus, StatusSnapshot } from '../status/status-snapshot.ts';
import type { RecentFailures } from './recent-failures.ts';

export interface StatusPublisherOptions {
  readonly version: string;
  readonly repo: string;
  readonly runners: Pick<RunnerManager, 'hostsStatus' | 'runnersStatus'>;
  readonly reorder: Pick<ReorderService, 'queueStatus'>;
  readonly failures: Pick<RecentFailures, 'latest'>;
  /** Disk and image alerts, as last seen by the upkeep. */
  readonly alerts: () => readonly string[];
  /** The GitHub API budget, when the controller tracks one. */
  readonly githubApi?: () => GithubApiStatus;
  readonly now: () => Date;
}

/**
 * The status page's and TUI's view of the controller: `snapshot()` assembles one from the
 * runners, queues, recent failures and alerts; `publish()` hands a new one to the feed that
 * `GET /api/status` and `GET /api/events` serve (each round and upkeep pass publishes).
 */
export class StatusPublisher {
  readonly feed: SettableStatusFeed;
  readonly #options: StatusPublisherOptions;
  readonly #startedAt: Date;

  constructor(options: StatusPublisherOptions) {
    this.#options = options;
    const at = options.now();
    this.feed = new SettableStatusFeed({ generatedAt: at.toISOString(), controller: { version: options.version, startedAt: at.toISOString(), repo: options.repo }, hosts: [], runners: [], queues: [], failures: [], alerts: [] });
    this.#startedAt = options.now();
  }

  readonly snapshot = (): StatusSnapshot => {
    const { runners, reorder, now } = this.#options;
    return {
      generatedAt: now().toISOString(),
      controller: { version: this.#options.version, startedAt: this.#startedAt.toISOString(), repo: this.#options.repo },
      hosts: runners.hostsStatus(),
      runners: runners.runnersStatus(),
      queues: reorder.queueStatus(now()),
      failures: this.#options.failures.latest(50),
      alerts: [...this.#options.alerts()],
      ...(this.#options.githubApi === undefined ? {} : { githubApi: this.#options.githubApi() }),
    };
  };

  readonly publish = (): void => {
    this.feed.publish(this.snapshot());
  };
}
