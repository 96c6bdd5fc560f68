import type { DistfileChecksumsStore } from '../caches/distfile-checksums-store.ts';
import { vouchedDistfiles } from '../caches/vouched-distfiles.ts';
import { acceptWatcherList } from '../handoff/accept-watcher-list.ts';
import type { AcceptPortList } from '../handoff/create-port-list-handler.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { ControllerStats } from '../serve/controller-stats.ts';
import type { CheckPublishing } from './check-publishing.ts';
import { crashPoint } from '../errors/crash-point.ts';

export interface OnPortListOptions {
  readonly reorder: Pick<ReorderService, 'describeBuild' | 'takePortList'>;
  readonly checks: Pick<CheckPublishing, 'accepting' | 'notAccepted' | 'queued'>;
  readonly stats: Pick<ControllerStats, 'buildersQueued' | 'supersededDropped'>;
  /** Where a master watcher's distfile checksums are kept for its ports' builders' mirror grants. */
  readonly distfiles: Pick<DistfileChecksumsStore, 'record'>;
  /** Asks for a scheduling round. */
  readonly kick: () => void;
  readonly now: () => Date;
}

/**
 * A watcher handed over its port list (`POST /api/port-list`, after the request's token was
 * verified by the hand-off handler): its builders are queued, older pending builders of the
 * same ports dropped, and each listed port's check goes `queued` (a summarised list's tally
 * begins with the list, in one transaction; the same list again keeps it). A list its run may not hand
 * over (another run's build or attempt, another revision, an unknown build) is refused with the
 * reason and changes nothing; the hand-off handler counts and logs it (EventRejections).
 * A master watcher's list also carries its ports' distfile checksums: kept, for the ports it
 * listed, as all their builders may add to the mirror.
 */
export function createOnPortList(options: OnPortListOptions): AcceptPortList {
  const { reorder, checks, stats, kick, now } = options;
  return async (list, watcher) => {
    const watcherKind = reorder.describeBuild(list.buildId)?.kind;
    // A summarised list's tally begins in the transaction accepting the list: no crash can part them.
    const outcome = await acceptWatcherList(reorder, list, watcher, now(), () => { checks.accepting(list); }).catch((caught: unknown) => {
      checks.notAccepted(list);
      throw caught;
    });
    if ('reason' in outcome) return outcome;
    crashPoint('list-accepted');
    stats.buildersQueued += outcome.added.length;
    stats.supersededDropped += outcome.coalesced.length;
    options.distfiles.record(list.portsRevision, vouchedDistfiles(list, watcherKind));
    checks.queued(list);
    kick();
    return outcome;
  };
}
