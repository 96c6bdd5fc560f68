import type { BuildId } from '../model/build-id.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import { selectNext } from './core/select-next.ts';
import { dispatchOne, type DispatchDeps } from './dispatch-one.ts';

export interface PlatformDispatchReport {
  readonly dispatched: BuildId[];
  readonly deferred: { buildId: BuildId; requeuedAs: BuildId; error: Error }[];
  readonly errors: { buildId: BuildId; error: Error }[];
}

/**
 * A round's dispatches on one platform: the next builds while a lane is free, one at a time
 * (each its own intent, committed before GitHub is asked). Stops at a dispatch GitHub did not
 * take for a rate limit (the limit holds for every request: the next round tries again) and at
 * one whose outcome is unknown (reconcile looks for its run before anything else goes out).
 */
export async function dispatchPlatform(queue: PlatformQueue, at: number, signal: AbortSignal, deps: DispatchDeps, report: PlatformDispatchReport): Promise<void> {
  for (let next = selectNext(queue); next !== null; next = selectNext(queue)) {
    const outcome = await dispatchOne(queue, next, at, signal, deps);
    if (outcome === 'dispatched') {
      report.dispatched.push(next.buildId);
      continue;
    }
    if (outcome.kind === 'not-sent') report.deferred.push({ buildId: next.buildId, requeuedAs: outcome.requeuedAs, error: outcome.error });
    else report.errors.push({ buildId: next.buildId, error: outcome.error });
    if (outcome.kind !== 'refused') return;
  }
}
