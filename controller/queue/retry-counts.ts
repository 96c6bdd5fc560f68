import type { DatabaseSync } from 'node:sqlite';
import type { BuildId } from '../model/build-id.ts';
import { deleteMeta } from '../store/sql/delete-meta.ts';
import { getMeta } from '../store/sql/get-meta.ts';
import { setMeta } from '../store/sql/set-meta.ts';

/**
 * How often a build was queued again, per reason, kept in `meta` under the build's current id
 * (`lost-retries:<id>`: its runs did no work; `cancel-retries:<id>`: someone else cancelled
 * them). Written in the transaction that queues the build again, so a restart counts on.
 */
export type RetryReason = 'lost' | 'cancel';

const PREFIX: Readonly<Record<RetryReason, string>> = { lost: 'lost-retries:', cancel: 'cancel-retries:' };

export function retryCount(db: DatabaseSync, reason: RetryReason, buildId: BuildId): number {
  return Number(getMeta(db, `${PREFIX[reason]}${buildId}`) ?? '0');
}

/** The build goes on under a new id: its counts move there, the one for `reason` one higher (none for null: no retry). */
export function carryRetryCounts(db: DatabaseSync, from: BuildId, to: BuildId, reason: RetryReason | null): void {
  for (const counted of Object.keys(PREFIX) as RetryReason[]) {
    const count = retryCount(db, counted, from) + (counted === reason ? 1 : 0);
    if (count > 0) setMeta(db, `${PREFIX[counted]}${to}`, String(count));
  }
  forgetRetryCounts(db, from);
}

/** The build is done (or starts over, preempted by the service itself): its counts go. */
export function forgetRetryCounts(db: DatabaseSync, buildId: BuildId): void {
  for (const prefix of Object.values(PREFIX)) deleteMeta(db, `${prefix}${buildId}`);
}
