import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './in-transaction.ts';

/** A port's latest state in a summary's tally. */
export type TallyPortState = 'listed' | 'started' | 'built' | 'failed' | 'other';

export interface StoredTally {
  readonly headSha: string;
  readonly platform: string;
  readonly forced: boolean;
  readonly changedAt: number;
  readonly sentAt: number | null;
  readonly dirty: boolean;
  readonly ports: readonly { readonly port: string; readonly state: TallyPortState; readonly failingPhase: string | null; readonly logUrl: string | null }[];
}

const STATES: ReadonlySet<string> = new Set(['listed', 'started', 'built', 'failed', 'other']);

/**
 * The summary checks' tallies and the failure checks made per commit, in the state database
 * (migration 0006): each change is its own small write, so a restart goes on from what was
 * counted. A list's ports are written in one transaction when its tally begins.
 */
export class CheckTallyStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  begin(tally: StoredTally): void {
    inTransaction(this.#db, () => {
      this.#forget(tally.headSha, tally.platform);
      this.#db.prepare('insert into list_summary (head_sha, platform, forced, changed_at, sent_at, dirty) values (?, ?, ?, ?, ?, ?)')
        .run(tally.headSha, tally.platform, tally.forced ? 1 : 0, tally.changedAt, tally.sentAt, tally.dirty ? 1 : 0);
      const insert = this.#db.prepare('insert or replace into list_summary_port (head_sha, platform, port, state) values (?, ?, ?, ?)');
      for (const { port, state } of tally.ports) insert.run(tally.headSha, tally.platform, port, state);
    });
  }

  /** A port moved (a build started or finished), with its failure when it failed. */
  move(headSha: string, platform: string, port: string, state: TallyPortState, failure: { readonly failingPhase?: string; readonly logUrl?: string } | null, at: number): void {
    inTransaction(this.#db, () => {
      this.#db.prepare('update list_summary_port set state = ?, failing_phase = ?, log_url = ? where head_sha = ? and platform = ? and port = ?')
        .run(state, failure?.failingPhase ?? null, failure?.logUrl ?? null, headSha, platform, port);
      this.#db.prepare('update list_summary set changed_at = ?, dirty = 1 where head_sha = ? and platform = ?').run(at, headSha, platform);
    });
  }

  /** The summary was handed out to be published. */
  sent(headSha: string, platform: string, at: number): void {
    this.#db.prepare('update list_summary set sent_at = ?, dirty = 0 where head_sha = ? and platform = ?').run(at, headSha, platform);
  }

  /** Every port finished and the final state went out: the tally goes. */
  forget(headSha: string, platform: string): void {
    inTransaction(this.#db, () => { this.#forget(headSha, platform); });
  }

  tallies(): StoredTally[] {
    const rows = this.#db.prepare('select head_sha, platform, forced, changed_at, sent_at, dirty from list_summary order by rowid').all();
    const ports = this.#db.prepare('select port, state, failing_phase, log_url from list_summary_port where head_sha = ? and platform = ?');
    return rows.map((r) => ({
      headSha: String(r.head_sha),
      platform: String(r.platform),
      forced: r.forced === 1,
      changedAt: Number(r.changed_at),
      sentAt: r.sent_at === null ? null : Number(r.sent_at),
      dirty: r.dirty === 1,
      ports: ports.all(String(r.head_sha), String(r.platform)).map((p) => {
        const state = String(p.state);
        if (!STATES.has(state)) throw new Error(`list_summary_port holds state ${JSON.stringify(state)} for ${String(p.port)}; expected one of ${[...STATES].join(', ')} (a newer portfarm wrote this database?)`);
        return { port: String(p.port), state: state as TallyPortState, failingPhase: p.failing_phase === null ? null : String(p.failing_phase), logUrl: p.log_url === null ? null : String(p.log_url) };
      }),
    }));
  }

  /** Per commit, the external ids of the failure checks made. */
  failureChecks(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const r of this.#db.prepare('select head_sha, external_id from failure_check').all()) {
      const sha = String(r.head_sha);
      out.set(sha, (out.get(sha) ?? new Set<string>()).add(String(r.external_id)));
    }
    return out;
  }

  failureCheckMade(headSha: string, externalId: string): void {
    this.#db.prepare('insert or ignore into failure_check (head_sha, external_id) values (?, ?)').run(headSha, externalId);
  }

  #forget(headSha: string, platform: string): void {
    this.#db.prepare('delete from list_summary_port where head_sha = ? and platform = ?').run(headSha, platform);
    this.#db.prepare('delete from list_summary where head_sha = ? and platform = ?').run(headSha, platform);
  }
}
