import type { CheckConclusion } from '../github/check-run-publisher.ts';
import type { ListedFailure, ListSummary } from '../github/list-summary-check-run.ts';
import type { CheckTallyStore, StoredTally, TallyPortState } from '../store/check-tally-store.ts';

type PortState = TallyPortState;

interface Tally {
  readonly headSha: string;
  readonly platform: string;
  /** The watcher whose list it counts (null: unknown). */
  readonly origin: string | null;
  readonly forced: boolean;
  readonly ports: Map<string, PortState>;
  readonly failures: Map<string, ListedFailure>;
  readonly counts: Record<PortState, number>;
  changedAt: Date;
  /** When the summary was last handed out to be published; null: never. */
  sentAt: number | null;
  dirty: boolean;
}

export interface ListSummariesOptions {
  /** Ports per list up to which each port gets its own check (shown in the summary). */
  readonly portChecksPerList: number;
  /** A summary's changes are published at most this often; its first and its final state at once. */
  readonly intervalMs: number;
  /** Where the tallies are kept across a restart (absent: memory only). */
  readonly store?: CheckTallyStore;
}

const key = (headSha: string, platform: string): string => `${headSha}\t${platform}`;

/**
 * The tallies behind the summary checks: one per platform and commit whose list was too long
 * for a check per port. Each port's latest state is kept (a port built again after a cancelled
 * build counts once), and `due` hands out the summaries to publish — a changed one at most
 * every `intervalMs`, so 41,548 builds cost a few hundred updates, not 41,548.
 */
export class ListSummaries {
  readonly #options: ListSummariesOptions;
  readonly #tallies = new Map<string, Tally>();

  constructor(options: ListSummariesOptions) {
    this.#options = options;
    // Each goes out once after a restart: what was handed out last may never have reached GitHub.
    for (const stored of options.store?.tallies() ?? []) this.#tallies.set(key(stored.headSha, stored.platform), { ...fromStored(stored), dirty: true });
  }

  /**
   * A list too long for a check per port was accepted: its tally starts over (a second rebuild
   * of the commit reuses the summary check). The same watcher's list again (`origin`: a hand-off
   * retried) changes nothing, even after its tally finished. With a store, called inside the
   * transaction accepting the list, the tally is written in it.
   */
  begin(list: { readonly headSha: string; readonly platform: string; readonly ports: readonly string[]; readonly forced: boolean; readonly origin?: string }, at: Date): void {
    const origin = list.origin ?? null;
    const k = key(list.headSha, list.platform);
    const store = this.#options.store;
    if (origin !== null && (store === undefined ? this.#tallies.get(k)?.origin : store.origin(list.headSha, list.platform)) === origin) return;
    const ports = new Map<string, PortState>(list.ports.map((port) => [port, 'listed']));
    const counts = { listed: ports.size, started: 0, built: 0, failed: 0, other: 0 };
    store?.begin({ headSha: list.headSha, platform: list.platform, origin, forced: list.forced, changedAt: at.getTime(), sentAt: null, dirty: true, ports: [...ports.keys()].map((port) => ({ port, state: 'listed', failingPhase: null, logUrl: null })) });
    this.#tallies.set(k, { headSha: list.headSha, platform: list.platform, origin, forced: list.forced, ports, failures: new Map(), counts, changedAt: at, sentAt: null, dirty: true });
  }

  /**
   * Accepting a list failed, in its first transaction or a later slice's: the commit and
   * platform's tally is again what the store kept (memory only: left as it is, there is
   * nothing to go back to).
   */
  reload(headSha: string, platform: string): void {
    const store = this.#options.store;
    if (store === undefined) return;
    const stored = store.tally(headSha, platform);
    if (stored === undefined) this.#tallies.delete(key(headSha, platform));
    else this.#tallies.set(key(headSha, platform), fromStored(stored));
  }

  /** Whether the port's builds on this commit and platform are counted by a summary (and so have no check of their own unless they fail). */
  counts(headSha: string, platform: string, port: string): boolean {
    return this.#tallies.get(key(headSha, platform))?.ports.has(port) ?? false;
  }

  started(headSha: string, platform: string, port: string, at: Date): void {
    this.#move(headSha, platform, port, 'started', at);
  }

  finished(headSha: string, platform: string, port: string, conclusion: CheckConclusion, failure: Omit<ListedFailure, 'port'>, at: Date): void {
    const tally = this.#tallies.get(key(headSha, platform));
    if (tally === undefined) return;
    const state: PortState = conclusion === 'success' ? 'built' : conclusion === 'failure' ? 'failed' : 'other';
    tally.failures.delete(port);
    if (state === 'failed') tally.failures.set(port, { port, ...failure });
    this.#move(headSha, platform, port, state, at, state === 'failed' ? failure : null);
  }

  /** The summaries to publish now (each marked sent); a finished one is forgotten once GitHub has it (`settle`). */
  due(now: Date): ListSummary[] {
    const out: ListSummary[] = [];
    for (const tally of this.#tallies.values()) {
      const { counts } = tally;
      const done = counts.listed + counts.started === 0;
      if (!tally.dirty) continue;
      if (!done && tally.sentAt !== null && now.getTime() - tally.sentAt < this.#options.intervalMs) continue;
      tally.dirty = false;
      tally.sentAt = now.getTime();
      this.#options.store?.sent(tally.headSha, tally.platform, tally.sentAt);
      out.push({
        headSha: tally.headSha,
        platform: tally.platform,
        forced: tally.forced,
        total: tally.ports.size,
        started: counts.started,
        built: counts.built,
        failed: counts.failed,
        other: counts.other,
        failures: [...tally.failures.values()],
        portChecksPerList: this.#options.portChecksPerList,
        at: tally.changedAt,
      });
    }
    return out;
  }

  /**
   * After a flush: a finished summary whose final state was published (`published`: no longer
   * waiting to be sent) is forgotten. Until then it stays, in memory and in the store, so a
   * crash before GitHub had it sends it again after the restart instead of leaving the check
   * in progress for good.
   */
  settle(published: (headSha: string, platform: string) => boolean): void {
    for (const [k, tally] of this.#tallies) {
      const { counts } = tally;
      if (tally.dirty || tally.sentAt === null || counts.listed + counts.started !== 0 || !published(tally.headSha, tally.platform)) continue;
      this.#options.store?.forget(tally.headSha, tally.platform, tally.sentAt);
      this.#tallies.delete(k);
    }
  }

  #move(headSha: string, platform: string, port: string, to: PortState, at: Date, failure: Omit<ListedFailure, 'port'> | null = null): void {
    const tally = this.#tallies.get(key(headSha, platform));
    const from = tally?.ports.get(port);
    if (tally === undefined || from === undefined || from === to) return;
    this.#options.store?.move(headSha, platform, port, to, failure, at.getTime());
    tally.ports.set(port, to);
    tally.counts[from] -= 1;
    tally.counts[to] += 1;
    tally.changedAt = at;
    tally.dirty = true;
  }
}

/** A tally as the store kept it: its counts are recomputed from its ports' states. */
function fromStored(stored: StoredTally): Tally {
  const counts = { listed: 0, started: 0, built: 0, failed: 0, other: 0 };
  const ports = new Map<string, PortState>();
  const failures = new Map<string, ListedFailure>();
  for (const p of stored.ports) {
    ports.set(p.port, p.state);
    counts[p.state] += 1;
    if (p.state === 'failed') failures.set(p.port, { port: p.port, ...(p.failingPhase === null ? {} : { failingPhase: p.failingPhase }), ...(p.logUrl === null ? {} : { logUrl: p.logUrl }) });
  }
  return { headSha: stored.headSha, platform: stored.platform, origin: stored.origin, forced: stored.forced, ports, failures, counts, changedAt: new Date(stored.changedAt), sentAt: stored.sentAt, dirty: stored.dirty };
}
