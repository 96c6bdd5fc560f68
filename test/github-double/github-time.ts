import type { ApiClock } from '../../controller/github/api-clock.ts';

/**
 * GitHub time for tests and benchmarks that compress it: from `start` (epoch ms) it runs
 * `scale` times faster than the wall clock. The double's limits count on `now`; the controller
 * under test is given the same clock (`apiClock`), so both agree on what a `retry-after` of 60
 * or a reset an hour away means, and waits take 1/scale of the wall time.
 */
export function githubTimeClock(start: number, scale: number): ApiClock {
  if (!(scale > 0)) throw new Error(`GitHub time scale ${String(scale)} must be a positive number of GitHub seconds per wall second`);
  return {
    now: () => start + (Date.now() - start) * scale,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted === true) { reject(signal.reason as Error); return; }
        const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason as Error); };
        const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms) / scale);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
