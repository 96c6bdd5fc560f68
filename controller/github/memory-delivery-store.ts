import type { DeliveryFailure, DeliveryStore, StoredDelivery } from './delivery-store.ts';

interface Entry {
  delivery: StoredDelivery;
  /** When a failed delivery is tried again; null: never. */
  retryAt: number | null;
}

/** DeliveryStore in memory: for tests and `npm start`; forgets everything on exit. */
export class MemoryDeliveryStore implements DeliveryStore {
  readonly #entries = new Map<string, Entry>();

  claim(delivery: { readonly guid: string; readonly event: string; readonly body: string; readonly receivedAt: Date }): boolean {
    if (this.#entries.has(delivery.guid)) return false;
    this.#entries.set(delivery.guid, { delivery: { ...delivery, state: 'received', error: null, attempts: 0 }, retryAt: null });
    return true;
  }

  claimIgnored(delivery: { readonly guid: string; readonly event: string; readonly receivedAt: Date }): boolean {
    if (this.#entries.has(delivery.guid)) return false;
    this.#entries.set(delivery.guid, { delivery: { ...delivery, body: '', state: 'processed', error: null, attempts: 0 }, retryAt: null });
    return true;
  }

  has(guid: string): boolean {
    return this.#entries.has(guid);
  }

  markProcessed(guid: string): void {
    const entry = this.#entries.get(guid);
    if (entry !== undefined) {
      entry.delivery = { ...entry.delivery, body: '', state: 'processed', error: null };
      entry.retryAt = null;
    }
  }

  markFailed(guid: string, failure: DeliveryFailure): void {
    const entry = this.#entries.get(guid);
    if (entry === undefined || entry.delivery.state === 'processed') return;
    entry.delivery = { ...entry.delivery, state: failure.givenUp ? 'given-up' : 'failed', error: failure.error, attempts: failure.attempts };
    entry.retryAt = failure.retryAt?.getTime() ?? null;
  }

  unprocessed(): readonly StoredDelivery[] {
    return this.#sorted((e) => e.delivery.state === 'received' || (e.delivery.state === 'failed' && e.retryAt !== null));
  }

  dueForRetry(now: Date): readonly StoredDelivery[] {
    return this.#sorted((e) => e.delivery.state === 'failed' && e.retryAt !== null && e.retryAt <= now.getTime());
  }

  lastReceivedAt(): Date | null {
    let last: Date | null = null;
    for (const { delivery } of this.#entries.values()) if (last === null || delivery.receivedAt > last) last = delivery.receivedAt;
    return last;
  }

  #sorted(keep: (entry: Entry) => boolean): StoredDelivery[] {
    return [...this.#entries.values()].filter(keep).map((e) => e.delivery).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }
}
