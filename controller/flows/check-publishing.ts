import type { CheckConclusion, CheckRunPublisher, FlushResult } from '../github/check-run-publisher.ts';
import { listSummaryCheckRun, listSummaryExternalId } from '../github/list-summary-check-run.ts';
import { portCheckExternalId, portCheckRun, type PortCheck } from '../github/port-check-run.ts';
import type { BuildId } from '../model/build-id.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { CheckTallyStore } from '../store/check-tally-store.ts';
import { ListSummaries } from './list-summaries.ts';
import { QueuedCheckEtas, type QueuedCheckEtaOptions } from './queued-check-etas.ts';

/** Which checks a commit gets: see docs/limits.md ("Checks at MacPorts' scale"). */
export interface CheckVolume {
  /** A list of at most this many ports gets a check per port; a longer one a summary per platform. */
  readonly portChecksPerList: number;
  /** A summary check is updated at most this often (its first and final state at once). */
  readonly summaryIntervalMs: number;
  /** Failure checks of summarised ports made on one commit at most (GitHub keeps 50,000 check runs per commit). */
  readonly failureChecksPerCommit: number;
}

export const DEFAULT_CHECK_VOLUME: CheckVolume = { portChecksPerList: 50, summaryIntervalMs: 180_000, failureChecksPerCommit: 40_000 };

export interface CheckPublishingOptions {
  /** `isPending` (absent: every flushed state counts as sent) tells when a finished summary reached GitHub and its tally may go. */
  readonly publisher: Pick<CheckRunPublisher, 'update' | 'flush'> & Partial<Pick<CheckRunPublisher, 'isPending'>>;
  readonly reorder: Pick<ReorderService, 'describeBuild' | 'blockedBuilds'>;
  /** The port's version, shown on its check when known. */
  readonly versionOf: (port: string) => string | undefined;
  readonly now: () => Date;
  readonly volume?: CheckVolume;
  /** The estimate shown on queued port checks; without it they say only "queued". */
  readonly eta?: QueuedCheckEtaOptions;
  /** Where the summary tallies and the failure checks per commit are kept across a restart (absent: memory only). */
  readonly tallies?: CheckTallyStore;
}

/** A watcher's list as the checks see it: `buildId` is the watcher's (it tells a forced rebuild, and one list from the next). */
type ListedPorts = { readonly portsRevision: string; readonly platform: string; readonly ports: readonly string[]; readonly buildId?: BuildId };

interface Extra {
  readonly failingPhase?: string;
  readonly detailsUrl?: string;
}

/**
 * The check runs a port's builds show on its commit. A list of up to `portChecksPerList` ports
 * gets a check per port: `queued` when the watcher lists it, `in_progress` when its builder's
 * job starts, `completed` with the duration and the build's page. A longer list (a forced
 * rebuild, a big revbump) gets one summary check per platform, updated at most every
 * `summaryIntervalMs`, and a check for each port that fails: GitHub keeps at most 50,000 check
 * runs per commit and its checks page is no place for 41,548 green ticks. Every check has a
 * fixed external id on its commit, so a rebuild updates it: a name is never used twice. Updates
 * are only recorded here; `flush`, called by the check-publish worker on each kick (never by the scheduling round itself), sends them. Watchers have no check.
 */
export class CheckPublishing {
  readonly #options: CheckPublishingOptions;
  readonly #volume: CheckVolume;
  readonly #summaries: ListSummaries;
  readonly #startedAt = new Map<BuildId, Date>();
  readonly #etas: QueuedCheckEtas | undefined;
  /** `<sha>\t<external id>` of the ports listed with a check each, until their build completes. */
  readonly #portChecks = new Set<string>();
  /** `<sha>\t<external id>` → a newly listed port's queued check, held until its platform's projection holds its list (QueuedCheckEtas.settle). */
  readonly #awaiting = new Map<string, { readonly headSha: string; readonly port: string; readonly platform: string; readonly mark: number }>();
  /** Per commit: the external ids of failure checks made for ports without a check of their own. */
  readonly #failureChecks: Map<string, Set<string>>;

  constructor(options: CheckPublishingOptions) {
    this.#options = options;
    this.#volume = options.volume ?? DEFAULT_CHECK_VOLUME;
    this.#etas = options.eta === undefined ? undefined : new QueuedCheckEtas(options.eta);
    this.#summaries = new ListSummaries({ portChecksPerList: this.#volume.portChecksPerList, intervalMs: this.#volume.summaryIntervalMs, ...(options.tallies === undefined ? {} : { store: options.tallies }) });
    this.#failureChecks = options.tallies?.failureChecks() ?? new Map<string, Set<string>>();
  }

  /**
   * A watcher listed these ports on this commit: their builders are queued, or held when a
   * dependency of theirs failed. `buildId` (the watcher) tells a forced rebuild.
   */
  queued(list: ListedPorts): void {
    const { publisher, now, reorder } = this.#options;
    if (this.#summarised(list)) {
      this.#beginSummary(list);
      return;
    }
    const held = new Map(reorder.blockedBuilds(list.platform).flatMap(({ entry, blockedBy }) => (entry.port === null ? [] : [[entry.port.toLowerCase(), blockedBy] as const])));
    const mark = this.#etas?.mark();
    for (const port of list.ports) {
      const blockedBy = held.get(port.toLowerCase());
      const listed = `${list.portsRevision}\t${portCheckExternalId(port, list.platform)}`;
      this.#portChecks.add(listed);
      if (blockedBy === undefined && mark !== undefined) {
        // Written by the next flush, once the projection holds this list: its first write carries the estimate.
        this.#awaiting.set(listed, { headSha: list.portsRevision, port, platform: list.platform, mark });
        continue;
      }
      this.#awaiting.delete(listed);
      const at = now();
      // A held build has no estimate until its failed dependency builds; its check says what it waits for.
      publisher.update(portCheckRun({ headSha: list.portsRevision, port, platform: list.platform, status: 'queued', ...(blockedBy === undefined ? this.#etas?.line(port, list.platform, at) : { blockedBy }), at }));
      if (blockedBy === undefined) this.#etas?.noted(list.portsRevision, port, list.platform, at);
    }
  }

  /**
   * Called inside the transaction that accepts a watcher's list (ReorderService.takePortList's
   * `onAccepted`): a list summarised begins its tally in that transaction, so a crash cannot
   * leave the list accepted and its builds uncounted. `queued` follows once it is accepted.
   */
  accepting(list: ListedPorts): void {
    if (this.#summarised(list)) this.#beginSummary(list);
  }

  /** The transaction that was to accept the list failed: its tally is again what the store kept. */
  notAccepted(list: ListedPorts): void {
    if (this.#summarised(list)) this.#summaries.reload(list.portsRevision, list.platform);
  }

  #summarised(list: ListedPorts): boolean {
    return list.ports.length > this.#volume.portChecksPerList;
  }

  /** Begun once per watcher's list: the same list again (a retried hand-off) keeps its counts. */
  #beginSummary(list: ListedPorts): void {
    const forced = list.buildId === undefined ? false : this.#options.reorder.describeBuild(list.buildId)?.force === true;
    this.#summaries.begin({ headSha: list.portsRevision, platform: list.platform, ports: list.ports, forced, ...(list.buildId === undefined ? {} : { origin: list.buildId }) }, this.#options.now());
  }

  /**
   * `port` failed on `platform`: the checks of the builds it holds say so ("blocked: waiting
   * for qt6 to build on 15_arm64"). Only checks a commit has: a summarised list's ports have none.
   */
  blocked(platform: string, port: string): void {
    const key = port.toLowerCase();
    for (const { entry, blockedBy } of this.#options.reorder.blockedBuilds(platform)) {
      if (entry.port === null || blockedBy.toLowerCase() !== key) continue;
      const listed = `${entry.portsRevision}\t${portCheckExternalId(entry.port, platform)}`;
      if (!this.#portChecks.has(listed)) continue;
      this.#awaiting.delete(listed);
      this.#options.publisher.update(portCheckRun({ headSha: entry.portsRevision, port: entry.port, platform, status: 'queued', blockedBy, at: this.#options.now() }));
      // No estimate refresh may overwrite what it waits for.
      this.#etas?.forget(entry.port, platform);
    }
  }

  /** A builder's job was taken by its runner. */
  started(buildId: BuildId, at: Date): void {
    this.#startedAt.set(buildId, at);
    const entry = this.#options.reorder.describeBuild(buildId);
    if (entry === undefined || entry.port === null) return;
    if (this.#summaries.counts(entry.portsRevision, entry.platform, entry.port)) {
      this.#summaries.started(entry.portsRevision, entry.platform, entry.port, at);
      return;
    }
    this.#update(buildId, 'in_progress');
  }

  /** A builder was recorded as finished; its start time is forgotten. */
  completed(buildId: BuildId, conclusion: CheckConclusion, extra: Extra): void {
    const entry = this.#options.reorder.describeBuild(buildId);
    if (entry !== undefined && entry.port !== null && this.#summaries.counts(entry.portsRevision, entry.platform, entry.port)) {
      const failure = { ...(extra.failingPhase === undefined ? {} : { failingPhase: extra.failingPhase }), ...(extra.detailsUrl === undefined ? {} : { logUrl: extra.detailsUrl }) };
      this.#summaries.finished(entry.portsRevision, entry.platform, entry.port, conclusion, failure, this.#options.now());
    }
    this.#update(buildId, 'completed', conclusion, extra);
    this.#startedAt.delete(buildId);
  }

  /** Queued checks of new lists not yet written (they wait for their projection): the check worker's pending work too. */
  get awaitingCount(): number {
    return this.#awaiting.size;
  }

  /**
   * Sends every recorded change and the summaries that are due (the check-publish worker calls
   * it). New lists' queued checks are written first, after waiting (bounded, off the loop) for
   * their platform's projection to hold the list, so they go out with their estimate.
   */
  async flush(signal: AbortSignal): Promise<FlushResult> {
    await this.#writeAwaiting(signal);
    for (const summary of this.#summaries.due(this.#options.now())) this.#options.publisher.update(listSummaryCheckRun(summary));
    for (const check of this.#etas?.due(this.#options.now()) ?? []) this.#options.publisher.update(portCheckRun(check));
    const { publisher } = this.#options;
    const result = await publisher.flush(signal);
    this.#summaries.settle((headSha, platform) => publisher.isPending?.(headSha, listSummaryExternalId(platform)) !== true);
    return result;
  }

  /**
   * A port listed with a check of its own: its check is updated (made if need be). Any other
   * port (summarised, or its list unknown after a restart): a failure gets a check, up to
   * `failureChecksPerCommit`; anything else only updates a check the commit already has.
   */
  #update(buildId: BuildId, status: 'in_progress' | 'completed', conclusion?: CheckConclusion, extra: Extra = {}): void {
    const { reorder, publisher, now } = this.#options;
    const entry = reorder.describeBuild(buildId);
    if (entry?.port === null || entry === undefined) return;
    this.#etas?.forget(entry.port, entry.platform);
    const version = this.#options.versionOf(entry.port);
    const started = this.#startedAt.get(buildId);
    const check: PortCheck = {
      headSha: entry.portsRevision,
      port: entry.port,
      platform: entry.platform,
      status,
      ...(conclusion === undefined ? {} : { conclusion }),
      ...(version === undefined ? {} : { version }),
      ...(started === undefined || status !== 'completed' ? {} : { durationMs: now().getTime() - started.getTime() }),
      ...extra,
      at: now(),
    };
    const externalId = portCheckExternalId(entry.port, entry.platform);
    const listed = `${entry.portsRevision}\t${externalId}`;
    this.#awaiting.delete(listed);
    if (this.#portChecks.has(listed)) {
      if (status === 'completed') this.#portChecks.delete(listed);
      publisher.update(portCheckRun(check));
      return;
    }
    publisher.update(portCheckRun(check, conclusion === 'failure' && this.#mayMakeFailureCheck(entry.portsRevision, externalId)));
  }

  async #writeAwaiting(signal: AbortSignal): Promise<void> {
    const etas = this.#etas;
    if (etas === undefined || this.#awaiting.size === 0) return;
    const waiting = [...this.#awaiting];
    const marks = new Map<string, number>();
    for (const [, check] of waiting) marks.set(check.platform, Math.max(marks.get(check.platform) ?? 0, check.mark));
    await etas.settle(marks, this.#options.now(), signal);
    const at = this.#options.now();
    for (const [listed, check] of waiting) {
      // Started, completed or held meanwhile: that newer state was recorded instead.
      if (this.#awaiting.get(listed) !== check) continue;
      this.#awaiting.delete(listed);
      this.#options.publisher.update(portCheckRun({ headSha: check.headSha, port: check.port, platform: check.platform, status: 'queued', ...etas.line(check.port, check.platform, at), at }));
      etas.noted(check.headSha, check.port, check.platform, at);
    }
  }

  #mayMakeFailureCheck(headSha: string, externalId: string): boolean {
    const made = this.#failureChecks.get(headSha) ?? new Set<string>();
    this.#failureChecks.set(headSha, made);
    if (made.has(externalId)) return true;
    if (made.size >= this.#volume.failureChecksPerCommit) return false;
    made.add(externalId);
    this.#options.tallies?.failureCheckMade(headSha, externalId);
    return true;
  }
}
