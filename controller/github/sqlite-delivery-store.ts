import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openStore } from '../store/open-store.ts';
import type { DeliveryFailure, DeliveryStore, StoredDelivery } from './delivery-store.ts';

interface Row {
  guid: string;
  event: string;
  body: string;
  received_at: number;
  state: StoredDelivery['state'];
  error: string | null;
  attempts: number;
}

const COLUMNS = 'guid, event, body, received_at, state, error, attempts';

/**
 * DeliveryStore in SQLite: the table `github_deliveries` of the state schema (migration 3),
 * so it shares the controller's database file or opens one of its own through `openStore`
 * (WAL, synchronous FULL). Each state change is one statement; the primary key makes `claim`
 * atomic. Old rows are pruned with the push records (`prunePushRecords`).
 */
export class SqliteDeliveryStore implements DeliveryStore {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #claim: StatementSync;
  readonly #claimIgnored: StatementSync;
  readonly #has: StatementSync;
  readonly #processed: StatementSync;
  readonly #failed: StatementSync;
  readonly #unprocessed: StatementSync;
  readonly #due: StatementSync;
  readonly #last: StatementSync;

  /** `path` opens (and owns) a database file; a `DatabaseSync` from `openStore` is shared and left open on close. */
  constructor(pathOrDb: string | DatabaseSync) {
    this.#owned = typeof pathOrDb === 'string';
    this.#db = typeof pathOrDb === 'string' ? openStore(pathOrDb) : pathOrDb;
    this.#claim = this.#db.prepare(`INSERT INTO github_deliveries (guid, event, body, received_at, state) VALUES (?, ?, ?, ?, 'received') ON CONFLICT (guid) DO NOTHING`);
    this.#claimIgnored = this.#db.prepare(`INSERT INTO github_deliveries (guid, event, body, received_at, state) VALUES (?, ?, '', ?, 'processed') ON CONFLICT (guid) DO NOTHING`);
    this.#has = this.#db.prepare('SELECT 1 AS found FROM github_deliveries WHERE guid = ?');
    this.#processed = this.#db.prepare(`UPDATE github_deliveries SET state = 'processed', body = '', error = NULL, next_attempt_at = NULL WHERE guid = ?`);
    this.#failed = this.#db.prepare(`UPDATE github_deliveries SET state = ?, error = ?, retryable = ?, attempts = ?, next_attempt_at = ? WHERE guid = ? AND state <> 'processed'`);
    this.#unprocessed = this.#db.prepare(`SELECT ${COLUMNS} FROM github_deliveries WHERE state = 'received' OR (state = 'failed' AND retryable = 1) ORDER BY received_at, rowid`);
    this.#due = this.#db.prepare(`SELECT ${COLUMNS} FROM github_deliveries WHERE state = 'failed' AND retryable = 1 AND coalesce(next_attempt_at, 0) <= ? ORDER BY received_at, rowid`);
    this.#last = this.#db.prepare('SELECT MAX(received_at) AS last FROM github_deliveries');
  }

  claim(delivery: { readonly guid: string; readonly event: string; readonly body: string; readonly receivedAt: Date }): boolean {
    return this.#claim.run(delivery.guid, delivery.event, delivery.body, delivery.receivedAt.getTime()).changes === 1;
  }

  claimIgnored(delivery: { readonly guid: string; readonly event: string; readonly receivedAt: Date }): boolean {
    return this.#claimIgnored.run(delivery.guid, delivery.event, delivery.receivedAt.getTime()).changes === 1;
  }

  has(guid: string): boolean {
    return this.#has.get(guid) !== undefined;
  }

  markProcessed(guid: string): void {
    this.#processed.run(guid);
  }

  markFailed(guid: string, failure: DeliveryFailure): void {
    const state = failure.givenUp ? 'given-up' : 'failed';
    const retryable = failure.retryAt === null ? 0 : 1;
    this.#failed.run(state, failure.error, retryable, failure.attempts, failure.retryAt?.getTime() ?? null, guid);
  }

  unprocessed(): readonly StoredDelivery[] {
    return (this.#unprocessed.all() as unknown as Row[]).map(toDelivery);
  }

  dueForRetry(now: Date): readonly StoredDelivery[] {
    return (this.#due.all(now.getTime()) as unknown as Row[]).map(toDelivery);
  }

  lastReceivedAt(): Date | null {
    const row = this.#last.get() as { last: number | null } | undefined;
    return row?.last == null ? null : new Date(row.last);
  }

  close(): void {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}

function toDelivery(r: Row): StoredDelivery {
  return { guid: r.guid, event: r.event, body: r.body, receivedAt: new Date(r.received_at), state: r.state, error: r.error, attempts: r.attempts };
}
