import type { FarmEvents, WatcherRequest, WorkflowJobEvent, WorkflowRunEvent } from '../../controller/github/farm-events.ts';

export type RecordedCall =
  | { readonly method: 'onPush' | 'onPullRequest'; readonly arg: WatcherRequest }
  | { readonly method: 'onWorkflowRun'; readonly arg: WorkflowRunEvent }
  | { readonly method: 'onWorkflowJob'; readonly arg: WorkflowJobEvent };

/** FarmEvents that records every call; `waitFor` resolves once `count` calls match (no timers). */
export class RecordingFarm implements FarmEvents {
  readonly calls: RecordedCall[] = [];
  /** Makes the next call throw this error (once), to test failure handling. */
  failNext: Error | null = null;
  /** Runs after recording each call (e.g. dispatch a run for a watcher). */
  react: ((call: RecordedCall, signal: AbortSignal) => Promise<void>) | null = null;
  readonly #waiters: { predicate: (c: RecordedCall) => boolean; count: number; resolve: (calls: RecordedCall[]) => void }[] = [];

  async #record(call: RecordedCall, signal: AbortSignal): Promise<void> {
    if (this.failNext !== null) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    this.calls.push(call);
    for (const w of [...this.#waiters]) {
      const matching = this.calls.filter(w.predicate);
      if (matching.length >= w.count) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(matching);
      }
    }
    if (this.react !== null) await this.react(call, signal);
  }

  onPush(arg: WatcherRequest, signal: AbortSignal): Promise<void> {
    return this.#record({ method: 'onPush', arg }, signal);
  }

  onPullRequest(arg: WatcherRequest, signal: AbortSignal): Promise<void> {
    return this.#record({ method: 'onPullRequest', arg }, signal);
  }

  onWorkflowRun(arg: WorkflowRunEvent, signal: AbortSignal): Promise<void> {
    return this.#record({ method: 'onWorkflowRun', arg }, signal);
  }

  onWorkflowJob(arg: WorkflowJobEvent, signal: AbortSignal): Promise<void> {
    return this.#record({ method: 'onWorkflowJob', arg }, signal);
  }

  waitFor(predicate: (c: RecordedCall) => boolean, count = 1): Promise<RecordedCall[]> {
    const matching = this.calls.filter(predicate);
    if (matching.length >= count) return Promise.resolve(matching);
    return new Promise((resolve) => this.#waiters.push({ predicate, count, resolve }));
  }
}
