import type { ApiClock } from '../../controller/github/api-clock.ts';

export interface ManualClock extends ApiClock {
  /** Moves the clock `ms` on, waking the sleepers it passes in deadline order. */
  advance(ms: number): Promise<void>;
  /** Moves the clock to the earliest sleeper's deadline (nothing when none sleeps). */
  advanceToNext(): Promise<void>;
  sleepers(): number;
}

/** A clock that moves only when told: sleepers wake in deadline order as `advance` passes them. */
export function manualClock(start: number): ManualClock {
  let now = start;
  const sleepers: { at: number; wake: () => void }[] = [];
  const settle = async (): Promise<void> => { for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => { setImmediate(resolve); }); };
  return {
    now: () => now,
    sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
      const sleeper = { at: now + Math.max(0, ms), wake: resolve };
      sleepers.push(sleeper);
      signal?.addEventListener('abort', () => { const i = sleepers.indexOf(sleeper); if (i >= 0) sleepers.splice(i, 1); reject(signal.reason as Error); }, { once: true });
    }),
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (;;) {
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (next === undefined || next.at > until) break;
        sleepers.shift();
        now = Math.max(now, next.at);
        next.wake();
        await settle();
      }
      now = until;
      await settle();
    },
    sleepers: () => sleepers.length,
    async advanceToNext() {
      const next = Math.min(...sleepers.map((s) => s.at));
      if (Number.isFinite(next)) await this.advance(Math.max(0, next - now));
    },
  };
}
