import type { DeliveryStore, StoredDelivery } from './delivery-store.ts';

interface Entry {
  delivery: StoredDelivery;
  retryable: boolean;
}

/** DeliveryStore in memory: for tests and `npm start`; forgets everything on exit. */
export class MemoryDeliveryStore implements DeliveryStore {
  readonly #entries = new Map<string, Entry>();

  claim(delivery: { readonly guid: string; readonly event: string; readonly body: string; readonly receivedAt: Date }): boolean {
    if (this.#entries.has(delivery.guid)) return false;
    this.#entries.set(delivery.guid, { delivery: { ...delivery, state: 'received', error: null }, retryable: true });
    return true;
  }

  has(guid: string): boolean {
    return this.#entries.has(guid);
  }

  markProcessed(guid: string): void {
    const entry = this.#entries.get(guid);
    if (entry !== undefined) entry.delivery = { ...entry.delivery, state: 'processed', error: null };
  }

  markFailed(guid: string, error: string, retryable: boolean): void {
    const entry = this.#entries.get(guid);
    if (entry === undefined) return;
    entry.delivery = { ...entry.delivery, state: 'failed', error };
    entry.retryable = retryable;
  }

  unprocessed(): readonly StoredDelivery[] {
    return [...this.#entries.values()]
      .filter((e) => e.delivery.state === 'received' || (e.delivery.state === 'failed' && e.retryable))
      .map((e) => e.delivery)
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  lastReceivedAt(): Date | null {
    let last: Date | null = null;
    for (const { delivery } of this.#entries.values()) if (last === null || delivery.receivedAt > last) last = delivery.receivedAt;
    return last;
  }
}
