import { UserError } from '../errors/user-error.ts';
import type { PortList } from '../model/port-list.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { PortListRefusal } from './create-port-list-handler.ts';
import type { WatcherIdentity } from './verify-port-list-request.ts';

export type WatcherListOutcome =
  | { readonly builders: number; readonly added: readonly string[]; readonly coalesced: readonly string[] }
  | PortListRefusal;

/**
 * A verified token proves which run is talking; this decides whether that run may hand over
 * this list: the build must be a watcher this controller dispatched, on the list's platform,
 * to exactly that run. Every refusal names the values and leaves the queue as it was.
 */
export function acceptWatcherList(reorder: Pick<ReorderService, 'describeBuild' | 'acceptPortList'>, list: PortList, watcher: WatcherIdentity, now: Date): WatcherListOutcome {
  const entry = reorder.describeBuild(list.buildId);
  if (entry === undefined) {
    return refuse(404, `build ${list.buildId} is unknown to this controller; a watcher hands over the list of the build it was dispatched for (its build_id input)`);
  }
  if (entry.kind !== 'watcher' && entry.kind !== 'pr-watcher') {
    return refuse(409, `build ${list.buildId} is a ${entry.kind} of ${entry.port ?? '(no port)'}, not a watcher; only watcher runs hand over port lists`);
  }
  if (entry.platform !== list.platform) {
    return refuse(409, `build ${list.buildId} runs on ${entry.platform}, but the list says platform ${JSON.stringify(list.platform)}; send the platform input of the run`);
  }
  if (entry.runId === null || String(entry.runId) !== watcher.runId) {
    const its = entry.runId === null ? 'has no run yet' : `is run ${String(entry.runId)}`;
    return refuse(403, `run ${watcher.runId} is not the run of build ${list.buildId} (that build ${its}); a run may only hand over the list of its own build`);
  }
  try {
    const { added, coalesced } = reorder.acceptPortList(list, now);
    return { builders: added.length, added, coalesced };
  } catch (caught) {
    // The queue refuses a list it cannot take (the watcher already finished, say) and changes nothing.
    if (caught instanceof UserError) return refuse(409, caught.message);
    throw caught;
  }
}

function refuse(status: PortListRefusal['status'], reason: string): PortListRefusal {
  return { status, reason };
}
