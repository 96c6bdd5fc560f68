import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { inTransaction } from './in-transaction.ts';

/** A port's latest state in a summary's tally. */
export type TallyPortState = 'listed' | 'started' | 'built' | 'failed' | 'other';

export interface StoredTally {
  readonly headSha: string;
  readonly platform: string;
  /** The watcher whose list it counts (null: begun before migration 0007 kept it). */
  readonly origin: string | null;
  readonly forced: boolean;
  readonly changedAt: number;
  readonly sentAt: number | null;
  readonly dirty: boolean;
  readonly ports: readonly { readonly port: string; readonly state: TallyPortState; readonly failingPhase: string | null; readonly logUrl: string | null }[];
}

/** How long a finished tally's row is kept: far beyond a watcher's retries of its hand-off (about 40 s). */
const FINISHED_KEPT_MS = 14 * 86_400_000;

const STATES: ReadonlySet<string> = new Set(['listed', 'started', 'built', 'failed', 'other']);

/**
 * The summary checks' tallies and the failure checks made per commit, in the state database
 * (migrations 0006, 0007), so a restart goes on from what was counted. A tally begins inside
 * the transaction that accepts its list (`begin` joins it), so a list is never accepted
 * without its tally; each later change is a small write of its own, made again from the
 * ledger when a crash cut it off (flows/on-ledgered-build.ts).
 */
export class CheckTallyStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** A tally begins (replacing the commit and platform's last one); within the caller's transaction when one is open. */
  begin(tally: StoredTally): void {
    const work = (): void => {
      this.#forget(tally.headSha, tally.platform);
      this.#db.prepare('insert into list_summary (head_sha, platform, origin, forced, changed_at, sent_at, dirty) values (?, ?, ?, ?, ?, ?, ?)')
        .run(tally.headSha, tally.platform, tally.origin, tally.forced ? 1 : 0, tally.changedAt, tally.sentAt, tally.dirty ? 1 : 0);
      const insert = this.#db.prepare('insert or replace into list_summary_port (head_sha, platform, port, state) values (?, ?, ?, ?)');
      for (const { port, state } of tally.ports) insert.run(tally.headSha, tally.platform, port, state);
    };
    if (this.#db.isTransaction) work();
    else inTransaction(this.#db, work);
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

  /**
   * Every port finished and the final state went out: the ports go, the row stays (finished)
   * for `keepMs` so the same list handed over again is known, then it goes too.
   */
  forget(headSha: string, platform: string, at: number, keepMs = FINISHED_KEPT_MS): void {
    inTransaction(this.#db, () => {
      this.#db.prepare('delete from list_summary_port where head_sha = ? and platform = ?').run(headSha, platform);
      this.#db.prepare('update list_summary set finished_at = ?, dirty = 0 where head_sha = ? and platform = ?').run(at, headSha, platform);
      this.#db.prepare('delete from list_summary where finished_at is not null and finished_at < ?').run(at - keepMs);
    });
  }

  /** The watcher whose list the commit and platform's tally counts or counted: undefined when there is none, null when it was begun without one. */
  origin(headSha: string, platform: string): string | null | undefined {
    const row = this.#db.prepare('select origin from list_summary where head_sha = ? and platform = ?').get(headSha, platform);
    return row === undefined ? undefined : row.origin === null ? null : String(row.origin);
  }

  /** Every tally still counting, oldest first. */
  tallies(): StoredTally[] {
    return this.#read(this.#db.prepare('select head_sha, platform, origin, forced, changed_at, sent_at, dirty from list_summary where finished_at is null order by rowid').all());
  }

  /** The commit and platform's tally still counting, as kept (undefined: none). */
  tally(headSha: string, platform: string): StoredTally | undefined {
    return this.#read(this.#db.prepare('select head_sha, platform, origin, forced, changed_at, sent_at, dirty from list_summary where head_sha = ? and platform = ? and finished_at is null').all(headSha, platform))[0];
  }

  #read(rows: readonly Record<string, SQLOutputValue>[]): StoredTally[] {
    const ports = this.#db.prepare('select port, state, failing_phase, log_url from list_summary_port where head_sha = ? and platform = ?');
    return rows.map((r) => ({
      headSha: String(r.head_sha),
      platform: String(r.platform),
      origin: r.origin === null ? null : String(r.origin),
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
