import type { PortEta } from '../eta/eta-answer.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';
import { SettableStatusFeed } from '../status/settable-status-feed.ts';
import type { GithubApiStatus, QueueStatus, StatusSnapshot } from '../status/status-snapshot.ts';
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
  /** A build's estimate (FarmEta.forBuild): the running run and the next ones get their `ready`. */
  readonly eta?: (platform: string, buildId: string, now: number) => PortEta | undefined;
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
      queues: reorder.queueStatus(now()).map((queue) => this.#withReady(queue)),
      failures: this.#options.failures.latest(50),
      alerts: [...this.#options.alerts()],
      ...(this.#options.githubApi === undefined ? {} : { githubApi: this.#options.githubApi() }),
    };
  };

  #withReady(queue: QueueStatus): QueueStatus {
    const { eta, now } = this.#options;
    if (eta === undefined) return queue;
    const at = now().getTime();
    const ready = (entry: QueueStatus['next'][number]): QueueStatus['next'][number] => ({ ...entry, ready: eta(queue.platform, entry.buildId, at)?.finish ?? null });
    return { ...queue, running: queue.running === null ? null : ready(queue.running), next: queue.next.map(ready) };
  }

  readonly publish = (): void => {
    this.feed.publish(this.snapshot());
  };
}
