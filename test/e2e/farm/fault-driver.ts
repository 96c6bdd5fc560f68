/**
 * Injects faults while a replay runs: `inject` is called at once and then again after a seeded
 * pause of `pauseMs[0]` plus up to `pauseMs[1]` ms, until `stop()`, which resolves once the
 * driver has ended (never in the middle of an injection).
 */
export function startFaultDriver(random: () => number, pauseMs: readonly [number, number], inject: () => void): { stop: () => Promise<void> } {
  const stopped = new AbortController();
  const running = (async () => {
    while (!stopped.signal.aborted) {
      inject();
      await new Promise((resolve) => setTimeout(resolve, pauseMs[0] + Math.floor(random() * pauseMs[1])));
    }
  })();
  return {
    stop: async () => {
      stopped.abort();
      await running;
    },
  };
}
