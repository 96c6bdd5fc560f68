import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { DeliveryStore, StoredDelivery } from './delivery-store.ts';

interface Row {
  guid: string;
  event: string;
  body: string;
  received_at: number;
  state: 'received' | 'processed' | 'failed';
  error: string | null;
}

/**
 * DeliveryStore in SQLite (`node:sqlite`, WAL). Its own table `github_deliveries`, created
 * if missing, so it can share the controller's database file or use one of its own. Each
 * state change is one statement; the primary key makes `claim` atomic.
 */
export class SqliteDeliveryStore implements DeliveryStore {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #claim: StatementSync;
  readonly #has: StatementSync;
  readonly #processed: StatementSync;
  readonly #failed: StatementSync;
  readonly #unprocessed: StatementSync;
  readonly #last: StatementSync;

  /** `path` opens (and owns) a database file; a `DatabaseSync` is shared and left open on close. */
  constructor(pathOrDb: string | DatabaseSync) {
    this.#owned = typeof pathOrDb === 'string';
    this.#db = typeof pathOrDb === 'string' ? new DatabaseSync(pathOrDb) : pathOrDb;
    // FULL, as openStore: a claim lost to a power cut after the 202 would lose the delivery.
    if (this.#owned) this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS github_deliveries (
      guid TEXT PRIMARY KEY,
      event TEXT NOT NULL,
      body TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('received', 'processed', 'failed')),
      error TEXT,
      retryable INTEGER NOT NULL DEFAULT 1
    )`);
    this.#claim = this.#db.prepare(`INSERT INTO github_deliveries (guid, event, body, received_at, state) VALUES (?, ?, ?, ?, 'received') ON CONFLICT (guid) DO NOTHING`);
    this.#has = this.#db.prepare('SELECT 1 AS found FROM github_deliveries WHERE guid = ?');
    this.#processed = this.#db.prepare(`UPDATE github_deliveries SET state = 'processed', error = NULL WHERE guid = ?`);
    this.#failed = this.#db.prepare(`UPDATE github_deliveries SET state = 'failed', error = ?, retryable = ? WHERE guid = ? AND state <> 'processed'`);
    this.#unprocessed = this.#db.prepare(`SELECT guid, event, body, received_at, state, error FROM github_deliveries WHERE state = 'received' OR (state = 'failed' AND retryable = 1) ORDER BY received_at, rowid`);
    this.#last = this.#db.prepare('SELECT MAX(received_at) AS last FROM github_deliveries');
  }

  claim(delivery: { readonly guid: string; readonly event: string; readonly body: string; readonly receivedAt: Date }): boolean {
    return this.#claim.run(delivery.guid, delivery.event, delivery.body, delivery.receivedAt.getTime()).changes === 1;
  }

  has(guid: string): boolean {
    return this.#has.get(guid) !== undefined;
  }

  markProcessed(guid: string): void {
    this.#processed.run(guid);
  }

  markFailed(guid: string, error: string, retryable: boolean): void {
    this.#failed.run(error, retryable ? 1 : 0, guid);
  }

  unprocessed(): readonly StoredDelivery[] {
    return (this.#unprocessed.all() as unknown as Row[]).map((r) => ({
      guid: r.guid,
      event: r.event,
      body: r.body,
      receivedAt: new Date(r.received_at),
      state: r.state,
      error: r.error,
    }));
  }

  lastReceivedAt(): Date | null {
    const row = this.#last.get() as { last: number | null } | undefined;
    return row?.last == null ? null : new Date(row.last);
  }

  close(): void {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}
