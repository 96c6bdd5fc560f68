import { enqueueBuilderSlice, type EnqueuedBuilders } from './enqueue-builder-slice.ts';
import { planBuilders } from './plan-builders.ts';
import type { QueueContext } from './queue-context.ts';
import type { QueueEntry } from './queue-entry.ts';
import type { PlatformQueue } from './platform-queue.ts';

export type { EnqueuedBuilders } from './enqueue-builder-slice.ts';

export interface BuildersRequest {
  /** The watcher whose list this is. */
  readonly origin: QueueEntry;
  readonly portsRevision: string;
  /** In dependency order, as `mpbb list-subports` printed them. */
  readonly ports: readonly string[];
}

/**
 * Turns a watcher's port list into builders at once (see planBuilders and enqueueBuilderSlice;
 * the reorder service turns a long list in slices instead) and marks the list accepted.
 */
export function enqueueBuilders(queue: PlatformQueue, request: BuildersRequest, ctx: QueueContext): EnqueuedBuilders {
  const plan = planBuilders(queue, request.origin, request, ctx, false);
  const { added, coalesced, changes } = enqueueBuilderSlice(queue, plan, 0, plan.items.length, ctx);
  request.origin.listAccepted = true;
  return { added, coalesced, changes: [...changes, { op: 'list-accepted', buildId: request.origin.buildId }] };
}
