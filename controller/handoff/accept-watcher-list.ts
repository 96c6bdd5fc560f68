import { UserError } from '../errors/user-error.ts';
import type { PortList } from '../model/port-list.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import { refuse, type HandoffRefusal } from './handoff-refusal.ts';
import type { WatcherIdentity } from './verify-port-list-request.ts';

export type WatcherListOutcome = { readonly builders: number; readonly added: readonly string[]; readonly coalesced: readonly string[] } | HandoffRefusal;

/**
 * The controller dispatches each run once and never re-runs one (a retry is a new build with a
 * new run), and it does not record attempts: the first attempt is the only one it knows was
 * its own. A re-run (attempt 2+) is started by whoever pressed "Re-run", maybe with another
 * actor's inputs or after the list was already taken, so it must re-dispatch instead.
 */
export const DISPATCHED_RUN_ATTEMPT = '1';

/**
 * A verified token proves which run is talking; this decides whether that run may hand over
 * this list: the build must be a watcher this controller dispatched, on the list's platform,
 * to exactly that run and attempt, and the list must be of the revision the watcher was
 * dispatched for (builders build what the list says, so a list of another revision would build
 * code nobody pushed to the default branch). Every refusal names the values and leaves the
 * queue as it was. An accepted list is answered once all its builders are queued; it was
 * durable from its first slice on (a stop or crash before the last is resumed, never lost).
 * `onAccepted` writes what must be durable with the list, in the transaction accepting it.
 */
export async function acceptWatcherList(reorder: Pick<ReorderService, 'describeBuild' | 'takePortList'>, list: PortList, watcher: WatcherIdentity, now: Date, onAccepted?: () => void): Promise<WatcherListOutcome> {
  const entry = reorder.describeBuild(list.buildId);
  if (entry === undefined) {
    return refuse(404, 'handoff-unknown-build', `build ${list.buildId} is unknown to this controller; a watcher hands over the list of the build it was dispatched for (its build_id input)`);
  }
  if (entry.kind !== 'watcher' && entry.kind !== 'pr-watcher') {
    return refuse(409, 'handoff-not-a-watcher', `build ${list.buildId} is a ${entry.kind} of ${entry.port ?? '(no port)'}, not a watcher; only watcher runs hand over port lists`);
  }
  if (entry.platform !== list.platform) {
    return refuse(409, 'handoff-wrong-platform', `build ${list.buildId} runs on ${entry.platform}, but the list says platform ${JSON.stringify(list.platform)}; send the platform input of the run`);
  }
  if (entry.runId === null) {
    return refuse(403, 'handoff-run-not-recorded', `run ${watcher.runId} is not the run of build ${list.buildId}: that build has no run yet (no run recorded); a run may only hand over the list of its own build`, {
      claim: 'run_id',
      expected: '(no run yet)',
    });
  }
  if (String(entry.runId) !== watcher.runId) {
    return refuse(403, 'handoff-wrong-run', `the token's "run_id" claim is ${JSON.stringify(watcher.runId)}; expected "${String(entry.runId)}", the run of build ${list.buildId}: a run may only hand over the list of its own build`, {
      claim: 'run_id',
      expected: String(entry.runId),
    });
  }
  if (watcher.runAttempt !== DISPATCHED_RUN_ATTEMPT) {
    return refuse(
      403,
      'handoff-wrong-run-attempt',
      `the token's "run_attempt" claim is ${JSON.stringify(watcher.runAttempt)}; expected "${DISPATCHED_RUN_ATTEMPT}": only the attempt the controller dispatched hands over a list (a re-run must be re-dispatched)`,
      { claim: 'run_attempt', expected: DISPATCHED_RUN_ATTEMPT },
    );
  }
  if (list.portsRevision !== entry.portsRevision) {
    return refuse(
      403,
      'handoff-wrong-revision',
      `the list's "portsRevision" is ${JSON.stringify(list.portsRevision)}; expected "${entry.portsRevision}", the revision build ${list.buildId} was dispatched for (its ports_sha input)`,
      { claim: 'portsRevision', expected: entry.portsRevision },
    );
  }
  try {
    // A long list is queued a slice at a time with the event loop free between slices; the answer waits for the last.
    const { added, coalesced } = await reorder.takePortList(list, now, onAccepted === undefined ? {} : { onAccepted });
    return { builders: added.length, added, coalesced };
  } catch (caught) {
    // The queue refuses a list it cannot take (the watcher already finished, say) and changes nothing.
    if (caught instanceof UserError) return refuse(409, 'handoff-list-refused', caught.message);
    throw caught;
  }
}
