/** Polls `done` every 100 ms until it holds, the time is up or the demo is interrupted. */
export async function waitFor(done: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until && !signal.aborted) await sleep(100, signal);
}

/** Resolves after `ms`, or at once when the demo is interrupted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
