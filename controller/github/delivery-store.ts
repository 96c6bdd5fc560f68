/** One webhook delivery as the controller keeps it (by GitHub's `X-GitHub-Delivery` GUID). */
export interface StoredDelivery {
  readonly guid: string;
  readonly event: string;
  /** The raw body, so work not finished before a crash is done after the restart. */
  readonly body: string;
  readonly receivedAt: Date;
  /** `given-up`: its handling failed on every attempt of the retry schedule; kept for the record. */
  readonly state: 'received' | 'processed' | 'failed' | 'given-up';
  readonly error: string | null;
  /** Attempts at handling it that failed so far. */
  readonly attempts: number;
}

/** A failed attempt at handling a delivery. */
export interface DeliveryFailure {
  readonly error: string;
  /** Failed attempts so far, this one included. */
  readonly attempts: number;
  /** When to try again; null: never (a permanent failure, or the last attempt when `givenUp`). */
  readonly retryAt: Date | null;
  /** The retry schedule ran out: the delivery stays `given-up`. */
  readonly givenUp: boolean;
}

/**
 * Durable de-duplication of webhook deliveries. `claim` is the only gate: a GUID is claimed
 * once, ever; a replayed or redelivered delivery finds it claimed and changes nothing.
 */
export interface DeliveryStore {
  /** Records a new delivery as `received`; false (and nothing changes) when the GUID was seen before. */
  claim(delivery: { readonly guid: string; readonly event: string; readonly body: string; readonly receivedAt: Date }): boolean;
  /**
   * Records a delivery that needs no work (another workflow's job, an event the farm ignores) as
   * `processed`, in one step and without its body: its GUID is all de-duplication needs, and any
   * pull request can make such deliveries by the thousand. False when the GUID was seen before.
   */
  claimIgnored(delivery: { readonly guid: string; readonly event: string; readonly receivedAt: Date }): boolean;
  has(guid: string): boolean;
  /**
   * The delivery's work is done: `processed`, and its body dropped (nothing reads it again, and
   * a pull request's run titled `[<id>] …` makes deliveries that claim a build by the hundred).
   */
  markProcessed(guid: string): void;
  /** A failure with a `retryAt` is tried again then (and on the next start); one without is kept for the record. */
  markFailed(guid: string, failure: DeliveryFailure): void;
  /** Deliveries received but not processed, or failed and waiting for a retry (whenever it is due), oldest first. */
  unprocessed(): readonly StoredDelivery[];
  /** Failed deliveries whose retry is due at `now`, oldest first. */
  dueForRetry(now: Date): readonly StoredDelivery[];
  /** When the newest delivery was received; recovery asks GitHub for failed deliveries after it. */
  lastReceivedAt(): Date | null;
}
