import type { BuildId } from '../../model/build-id.ts';

/** What a core operation gets from outside: the time, a source of fresh build ids, and what is known of commit order. */
export interface QueueContext {
  readonly now: number;
  readonly newBuildId: () => BuildId;
  /**
   * The newest revision of the default branch known to follow this one (from the pushes
   * received); absent: the revision itself. Every revision the core gives a master build goes
   * through it, so a late push, a requeued watcher or an older list never sets a build back.
   */
  readonly newestRevision?: (revision: string) => string;
}

/** `revision`, or the newest known to follow it for a master build (PR heads are not on the branch). */
export function buildRevision(ctx: QueueContext, revision: string, prNumber: number | null): string {
  return prNumber === null && ctx.newestRevision !== undefined ? ctx.newestRevision(revision) : revision;
}
