/** Counters a summary (the demo's, an operator's) is made of; the flows add to them. */
export interface ControllerStats {
  watchersQueued: number;
  watchersCoalesced: number;
  buildersQueued: number;
  /** Pending builders replaced by a newer revision of the same port. */
  supersededDropped: number;
  preemptions: number;
  finished: number;
  failures: number;
  mailsSent: number;
  dispatchErrors: number;
  /** Dispatches GitHub did not take for a rate limit: queued again at once, no run made. */
  dispatchesDeferred: number;
}

export function emptyStats(): ControllerStats {
  return { watchersQueued: 0, watchersCoalesced: 0, buildersQueued: 0, supersededDropped: 0, preemptions: 0, finished: 0, failures: 0, mailsSent: 0, dispatchErrors: 0, dispatchesDeferred: 0 };
}
