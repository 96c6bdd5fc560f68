import type { Logger } from 'pino';
import type { WatcherRequest } from '../github/farm-events.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import { crashPoint } from '../errors/crash-point.ts';

export interface OnPushOptions {
  readonly reorder: Pick<ReorderService, 'enqueueWatcher'>;
  /** Asks for a scheduling round. */
  readonly kick: () => void;
  readonly log: Logger;
}

/**
 * A push to the default branch arrived (once per platform): a watcher is queued to list what
 * the push changed, coalesced with a watcher already waiting. Idempotent per delivery (the
 * reorder service knows the delivery id), because GitHub delivers at least once.
 */
export function createOnPush(options: OnPushOptions): (request: WatcherRequest, signal: AbortSignal) => Promise<void> {
  const { reorder, kick, log } = options;
  return (request) => {
    const { buildId, coalesced, portsRevision } = reorder.enqueueWatcher({
      platform: request.platform,
      portsRevision: request.portsRevision,
      previousRevision: request.previousRevision,
      changedPorts: [...request.changedPorts],
      force: false,
      prNumber: null,
      now: request.receivedAt,
      deliveryId: request.deliveryId,
    });
    // A push delivered after a newer one lists at the newer revision (it is already on the branch).
    const newer = portsRevision === request.portsRevision ? {} : { pushedRevision: request.portsRevision, portsRevision };
    log.info({ deliveryId: request.deliveryId, buildId, platform: request.platform, coalesced, ...newer }, 'watcher queued');
    crashPoint('watcher-queued');
    kick();
    return Promise.resolve();
  };
}
