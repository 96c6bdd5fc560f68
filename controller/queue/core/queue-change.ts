import type { BuildId } from '../../model/build-id.ts';
import type { BuildResult } from '../../model/build-kind.ts';
import type { BuilderClass, QueueEntry } from './queue-entry.ts';

/**
 * What a core operation changed, for the store to persist in one transaction. Each kind maps
 * to one SQL statement that re-checks the state it expects (a pending row, a dispatched row).
 */
export type QueueChange =
  | { readonly op: 'insert'; readonly entry: QueueEntry }
  | {
      readonly op: 'coalesce';
      readonly buildId: BuildId;
      readonly portsRevision: string;
      readonly changedPorts: readonly string[] | null;
      readonly force: boolean;
      readonly builderClass: BuilderClass;
    }
  | { readonly op: 'dispatching'; readonly buildId: BuildId; readonly at: number; readonly lane: number | null }
  | { readonly op: 'dispatched'; readonly buildId: BuildId; readonly runId: number }
  | { readonly op: 'cancel-requested'; readonly buildId: BuildId }
  | { readonly op: 'started'; readonly buildId: BuildId; readonly at: number }
  | { readonly op: 'finished'; readonly buildId: BuildId; readonly result: BuildResult; readonly at: number }
  | { readonly op: 'list-accepted'; readonly buildId: BuildId }
  | { readonly op: 'pr-counter'; readonly platform: string; readonly masterSinceLastPr: number }
  /** The port's build failed on the platform: its dependents are blocked (kept across restarts). */
  | { readonly op: 'port-failed'; readonly platform: string; readonly port: string; readonly portsRevision: string; readonly buildId: BuildId }
  /** The port built on the platform: a recorded failure of it is forgotten. */
  | { readonly op: 'port-built'; readonly platform: string; readonly port: string };
