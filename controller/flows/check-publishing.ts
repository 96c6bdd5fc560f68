import type { CheckConclusion, CheckRunPublisher, FlushResult } from '../github/check-run-publisher.ts';
import type { BuildId } from '../model/build-id.ts';
import type { ReorderService } from '../queue/reorder-service.ts';

export interface CheckPublishingOptions {
  readonly publisher: Pick<CheckRunPublisher, 'update' | 'flush'>;
  readonly reorder: Pick<ReorderService, 'describeBuild'>;
  /** The port's version, shown on its check when known. */
  readonly versionOf: (port: string) => string | undefined;
  readonly now: () => Date;
}

/**
 * The check runs a port's builds show on its commit: `queued` when a watcher lists the port,
 * `in_progress` when its builder's job starts, `completed` with the duration and the build's
 * page. Updates are only recorded here; `flush` (once per scheduling round) sends them, so a
 * burst of events costs one request per changed check. Watchers have no check.
 */
export class CheckPublishing {
  readonly #options: CheckPublishingOptions;
  readonly #startedAt = new Map<BuildId, Date>();

  constructor(options: CheckPublishingOptions) {
    this.#options = options;
  }

  /** A watcher listed these ports on this commit: their builders are queued. */
  queued(list: { readonly portsRevision: string; readonly platform: string; readonly ports: readonly string[] }): void {
    for (const port of list.ports) {
      this.#options.publisher.update({ headSha: list.portsRevision, port, platform: list.platform, status: 'queued', at: this.#options.now() });
    }
  }

  /** A builder's job was taken by its runner. */
  started(buildId: BuildId, at: Date): void {
    this.#startedAt.set(buildId, at);
    this.#update(buildId, 'in_progress');
  }

  /** A builder was recorded as finished; its start time is forgotten. */
  completed(buildId: BuildId, conclusion: CheckConclusion, extra: { readonly failingPhase?: string; readonly detailsUrl?: string }): void {
    this.#update(buildId, 'completed', conclusion, extra);
    this.#startedAt.delete(buildId);
  }

  /** Sends every recorded change (the scheduling round calls it). */
  flush(signal: AbortSignal): Promise<FlushResult> {
    return this.#options.publisher.flush(signal);
  }

  #update(buildId: BuildId, status: 'in_progress' | 'completed', conclusion?: CheckConclusion, extra: { readonly failingPhase?: string; readonly detailsUrl?: string } = {}): void {
    const { reorder, publisher, now } = this.#options;
    const entry = reorder.describeBuild(buildId);
    if (entry?.port === null || entry === undefined) return;
    const version = this.#options.versionOf(entry.port);
    const started = this.#startedAt.get(buildId);
    publisher.update({
      headSha: entry.portsRevision,
      port: entry.port,
      platform: entry.platform,
      status,
      ...(conclusion === undefined ? {} : { conclusion }),
      ...(version === undefined ? {} : { version }),
      ...(started === undefined || status !== 'completed' ? {} : { durationMs: now().getTime() - started.getTime() }),
      ...extra,
      at: now(),
    });
  }
}
