/** One webhook delivery as the controller keeps it (by GitHub's `X-GitHub-Delivery` GUID). */
export interface StoredDelivery {
  readonly guid: string;
  readonly event: string;
  /** The raw body, so work not finished before a crash is done after the restart. */
  readonly body: string;
  readonly receivedAt: Date;
  readonly state: 'received' | 'processed' | 'failed';
  readonly error: string | null;
}

/**
 * Durable de-duplication of webhook deliveries. `claim` is the only gate: a GUID is claimed
 * once, ever; a replayed or redelivered delivery finds it claimed and changes nothing.
 */
export interface DeliveryStore {
  /** Records a new delivery as `received`; false (and nothing changes) when the GUID was seen before. */
  claim(delivery: { readonly guid: string; readonly event: string; readonly body: string; readonly receivedAt: Date }): boolean;
  has(guid: string): boolean;
  markProcessed(guid: string): void;
  /** A failure that may succeed later (`retryable`) is resumed on the next start; a permanent one is kept for the record. */
  markFailed(guid: string, error: string, retryable: boolean): void;
  /** Deliveries received but not processed (or failed retryably), oldest first. */
  unprocessed(): readonly StoredDelivery[];
  /** When the newest delivery was received; recovery asks GitHub for failed deliveries after it. */
  lastReceivedAt(): Date | null;
}
