/**
 * One signal that aborts when any of `signals` does, with the listeners removed by `dispose`.
 * Used instead of `AbortSignal.any`, which costs ~0.3 ms a call on Node 24 (weak-ref
 * bookkeeping) and would dominate the per-job overhead with 100 jobs queued at once.
 */
export function linkSignals(signals: readonly AbortSignal[]): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const already = signals.find((s) => s.aborted);
  if (already !== undefined) {
    controller.abort(already.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const listeners = signals.map((source) => {
    const onAbort = (): void => {
      controller.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', onAbort, { once: true });
    return { source, onAbort };
  });
  const dispose = (): void => {
    for (const { source, onAbort } of listeners) source.removeEventListener('abort', onAbort);
  };
  return { signal: controller.signal, dispose };
}
