import { setTimeout as sleepFor } from 'node:timers/promises';

/**
 * The clock the controller's API pacing waits on: the wall clock in production; a benchmark
 * against the double's compressed GitHub time gives the double's clock, so a `retry-after` of
 * 60 GitHub seconds is waited in GitHub time, not in wall time.
 */
export interface ApiClock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms` of this clock (rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const wallClock: ApiClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => { await sleepFor(Math.max(0, ms), undefined, signal === undefined ? undefined : { signal }); },
};
