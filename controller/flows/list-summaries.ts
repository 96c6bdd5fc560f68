import type { CheckConclusion } from '../github/check-run-publisher.ts';
import type { ListedFailure, ListSummary } from '../github/list-summary-check-run.ts';

type PortState = 'listed' | 'started' | 'built' | 'failed' | 'other';

interface Tally {
  readonly headSha: string;
  readonly platform: string;
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
  }

  /** A list too long for a check per port arrived: its tally starts over (a second rebuild of the commit reuses the summary check). */
  begin(list: { readonly headSha: string; readonly platform: string; readonly ports: readonly string[]; readonly forced: boolean }, at: Date): void {
    const ports = new Map<string, PortState>(list.ports.map((port) => [port, 'listed']));
    const counts = { listed: ports.size, started: 0, built: 0, failed: 0, other: 0 };
    this.#tallies.set(key(list.headSha, list.platform), { headSha: list.headSha, platform: list.platform, forced: list.forced, ports, failures: new Map(), counts, changedAt: at, sentAt: null, dirty: true });
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
    this.#move(headSha, platform, port, state, at);
  }

  /** The summaries to publish now (each marked sent); a summary whose every port finished is then forgotten. */
  due(now: Date): ListSummary[] {
    const out: ListSummary[] = [];
    for (const [k, tally] of this.#tallies) {
      const { counts } = tally;
      const done = counts.listed + counts.started === 0;
      if (!tally.dirty) continue;
      if (!done && tally.sentAt !== null && now.getTime() - tally.sentAt < this.#options.intervalMs) continue;
      tally.dirty = false;
      tally.sentAt = now.getTime();
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
      if (done) this.#tallies.delete(k);
    }
    return out;
  }

  #move(headSha: string, platform: string, port: string, to: PortState, at: Date): void {
    const tally = this.#tallies.get(key(headSha, platform));
    const from = tally?.ports.get(port);
    if (tally === undefined || from === undefined || from === to) return;
    tally.ports.set(port, to);
    tally.counts[from] -= 1;
    tally.counts[to] += 1;
    tally.changedAt = at;
    tally.dirty = true;
  }
}
