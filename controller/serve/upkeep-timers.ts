import type { Logger } from 'pino';
import type { CacheLayout } from '../caches/cache-layout.ts';
import type { DiskAdmissionService } from '../caches/disk-admission-service.ts';
import { sweepQuarantine } from '../caches/quarantine-expiry.ts';
import { coerceError } from '../errors/coerce-error.ts';
import type { WebhookHandler } from '../github/create-webhook-handler.ts';
import type { ImageRolloutService } from '../images/image-rollout-service.ts';
import type { RunnerManager } from '../runners/runner-manager.ts';

export interface UpkeepOptions {
  readonly disk: Pick<DiskAdmissionService, 'check'>;
  readonly images: Pick<ImageRolloutService, 'checkRunnerAge' | 'collectGarbage'>;
  readonly runners: Pick<RunnerManager, 'vmImages'>;
  /** Failed webhook deliveries whose retry is due are queued again (the schedule is the handler's). */
  readonly deliveries: Pick<WebhookHandler, 'retryDue'>;
  /** The build cache's folders, whose expired quarantines are deleted; null without a cache. */
  readonly cacheLayout: CacheLayout | null;
  readonly intervals: { readonly diskCheckMs: number; readonly runnerCheckMs: number; readonly imageGcMs: number; readonly quarantineSweepMs: number; readonly deliveryRetryMs: number };
  /** A new status snapshot after each pass (alerts change). */
  readonly publish: () => void;
  readonly log: Logger;
  readonly cacheLog: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

export interface Upkeep {
  /** One pass of all of it now, then a new snapshot (tests, `RunningController.runUpkeep`). */
  runOnce(): Promise<void>;
  /** Clears the timers and waits for the passes in flight. */
  stop(): Promise<void>;
}

/**
 * The background upkeep: disk admission per host (now and every `caches.disk.checkSeconds`),
 * the runner-age check (now and every `images.runnerCheckHours`), image GC, the expiry of
 * quarantined distfiles (hourly), and the look for failed webhook deliveries whose retry is due
 * (every 15 s; the schedule itself, 1 min doubling, is the webhook handler's). A failed pass
 * is logged; the next one retries.
 */
export function startUpkeepTimers(options: UpkeepOptions): Upkeep {
  const { disk, images, runners, deliveries, cacheLayout, signal, now } = options;
  const running = new Set<Promise<void>>();
  const track = (work: () => Promise<unknown>): void => {
    if (signal.aborted) return;
    const pass = work().then(options.publish, (error: unknown) => { options.log.warn({ err: coerceError(error) }, 'image upkeep failed; the next pass retries'); });
    running.add(pass);
    void pass.finally(() => running.delete(pass));
  };
  const checkRunnerAge = (): void => { track(() => images.checkRunnerAge(signal)); };
  const collectImages = (): void => { track(() => images.collectGarbage(runners.vmImages(), signal)); };
  const checkDisks = (): void => { track(() => disk.check(signal)); };
  const sweep = (): void => {
    if (cacheLayout === null) return;
    track(() => {
      const removed = sweepQuarantine(cacheLayout, now());
      if (removed.length > 0) options.cacheLog.info({ builds: removed }, 'expired quarantine folders deleted');
      return Promise.resolve(removed);
    });
  };
  checkDisks();
  checkRunnerAge();
  const timers = [
    setInterval(checkDisks, options.intervals.diskCheckMs),
    setInterval(checkRunnerAge, options.intervals.runnerCheckMs),
    setInterval(collectImages, options.intervals.imageGcMs),
    setInterval(sweep, options.intervals.quarantineSweepMs),
    setInterval(() => { if (!signal.aborted) deliveries.retryDue(); }, options.intervals.deliveryRetryMs),
  ];
  for (const timer of timers) timer.unref();
  return {
    runOnce: async () => {
      if (cacheLayout !== null) sweepQuarantine(cacheLayout, now());
      deliveries.retryDue();
      await disk.check(signal);
      await images.checkRunnerAge(signal);
      await images.collectGarbage(runners.vmImages(), signal);
      options.publish();
    },
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled(running);
    },
  };
}
