/**
 * When a webhook delivery whose handling failed (the farm threw: the database was locked,
 * GitHub answered 502 to a call the handling made) is tried again: 1 min after the first
 * failure, then doubling, and after `maxAttempts` attempts never again (the delivery is
 * given up, logged and counted). A restart also resumes the ones still waiting at once.
 */
export interface DeliveryRetrySchedule {
  /** The wait after the first failed attempt; each later one waits twice as long as the one before. */
  readonly firstDelayMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

/** 1, 2, 4, … 64 min: eight attempts over about two hours, then given up. */
export const DELIVERY_RETRY: DeliveryRetrySchedule = { firstDelayMs: 60_000, maxAttempts: 8 };

/** When to try again after `attempts` failed attempts (1 after the first); null: give up. */
export function nextDeliveryAttempt(attempts: number, failedAt: Date, schedule: DeliveryRetrySchedule = DELIVERY_RETRY): Date | null {
  if (attempts >= schedule.maxAttempts) return null;
  return new Date(failedAt.getTime() + schedule.firstDelayMs * 2 ** Math.max(0, attempts - 1));
}
