import type { DatabaseSync } from 'node:sqlite';
import type { BuildId } from '../model/build-id.ts';
import { advanceIntake, deleteIntake, insertIntake, selectIntakes } from '../store/sql/port-list-intake.ts';
import { enqueueBuilderSlice } from './core/enqueue-builder-slice.ts';
import { planBuilders, type BuildersPlan } from './core/plan-builders.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueContext } from './core/queue-context.ts';
import type { QueueEntry } from './core/queue-entry.ts';

/**
 * Builders queued per transaction. A slice of 2,000 takes about 40 ms on a quiet machine
 * (`npm run bench:scheduler`), so a forced rebuild's 41,548 ports go down in 21 slices with the
 * event loop free between them, instead of one stretch of 0.8 s (4–5 s on a loaded machine).
 */
export const PORT_LIST_SLICE = 2000;

/** What accepting a list queued: new builders, and pending ones that now build its revision. */
export interface AcceptedList {
  readonly added: readonly BuildId[];
  readonly coalesced: readonly BuildId[];
}

export interface IntakeOptions {
  /** Between slices (default: setImmediate, so timers, HTTP and webhooks are served). */
  readonly pause?: () => Promise<void>;
  /** Stops between slices; the rest is queued by `resume` (the next start, or a resent list). */
  readonly signal?: AbortSignal;
  /** Builders per slice (default PORT_LIST_SLICE). */
  readonly sliceSize?: number;
  /** After each slice: items queued so far, of how many. */
  readonly onSlice?: (done: number, total: number) => void;
  /**
   * Inside the transaction that accepts the list (not for a list accepted before): what must
   * be durable with it, written in it (a summary check's tally). Throwing refuses the list.
   */
  readonly onAccepted?: () => void;
}

/** What the intake needs of the reorder service: its database, its live queues, and its one-transaction change. */
export interface IntakeDeps {
  readonly db: DatabaseSync;
  readonly queueOf: (platform: string) => PlatformQueue;
  readonly change: <T>(queue: PlatformQueue, operation: (ctx: QueueContext) => { value: T; changes: readonly QueueChange[] }, now: number) => T;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

/**
 * Turns accepted port lists into builders. A list of at most one slice goes down in one
 * transaction, as it always did. A longer one is accepted in one transaction that marks the
 * list accepted, keeps its plan (`port_list_intake`) and queues the first slice; each further
 * slice is a transaction of its own that also moves the plan's cursor, the event loop free in
 * between. A crash or a stop between slices loses nothing and queues nothing twice: `resume`
 * goes on from the cursor. Builders are planned in dependency-rank order, so what an early slice
 * queued may be dispatched at once: its dependencies were all in earlier slices.
 */
export class PortListIntake {
  readonly #deps: IntakeDeps;
  readonly #running = new Map<BuildId, Promise<AcceptedList>>();

  constructor(deps: IntakeDeps) {
    this.#deps = deps;
  }

  /**
   * Accepts `watcher`'s list in one transaction: the list marked accepted, the first slice
   * queued, (when there is more) the plan kept, and `onAccepted`'s writes; `rest` or
   * `restNow` queue the others.
   */
  accept(queue: PlatformQueue, watcher: QueueEntry, list: { readonly portsRevision: string; readonly ports: readonly string[] }, now: number, sliceSize: number, onAccepted?: () => void): { readonly first: AcceptedList; readonly plan: BuildersPlan | null } {
    const whole = list.ports.length <= sliceSize;
    return this.#deps.change(queue, (ctx) => {
      const plan = planBuilders(queue, watcher, list, ctx, !whole);
      const slice = enqueueBuilderSlice(queue, plan, 0, whole ? plan.items.length : sliceSize, ctx);
      watcher.listAccepted = true;
      if (!whole && insertIntake(this.#deps.db, plan, sliceSize) !== 1) throw new Error(`port list of ${watcher.buildId} is already being queued; the database and the queue disagree`);
      onAccepted?.();
      return { value: { first: ids(slice), plan: whole ? null : plan }, changes: [...slice.changes, { op: 'list-accepted', buildId: watcher.buildId }] };
    }, now);
  }

  /** Queues the rest of `plan` from `next`, one slice per transaction, yielding between them (see IntakeOptions). */
  rest(plan: BuildersPlan, next: number, now: number, options: IntakeOptions = {}): Promise<AcceptedList> {
    const running = this.#running.get(plan.origin);
    if (running !== undefined) return running;
    const work = this.#slices(plan, next, now, options).finally(() => { this.#running.delete(plan.origin); });
    this.#running.set(plan.origin, work);
    return work;
  }

  /** The same, without yielding: every slice now (a caller that cannot wait: tests, the simulator's bench). */
  restNow(plan: BuildersPlan, next: number, now: number, sliceSize: number): AcceptedList {
    const added: BuildId[] = [];
    const coalesced: BuildId[] = [];
    for (let at = next; at < plan.items.length; at += sliceSize) {
      const done = this.#slice(plan, at, Math.min(plan.items.length, at + sliceSize), now);
      added.push(...done.added);
      coalesced.push(...done.coalesced);
    }
    return { added, coalesced };
  }

  /** Goes on with every list a stop or a crash left half queued on `platform`. */
  async resume(platform: string, now: number, options: IntakeOptions = {}): Promise<void> {
    for (const row of selectIntakes(this.#deps.db, platform)) await this.rest(row.plan, row.next, now, options);
  }

  /** Where `origin`'s list's cursor stands, when its intake is unfinished. */
  cursor(origin: BuildId, platform: string): { readonly plan: BuildersPlan; readonly next: number } | undefined {
    return selectIntakes(this.#deps.db, platform).find((row) => row.plan.origin === origin);
  }

  async #slices(plan: BuildersPlan, next: number, now: number, options: IntakeOptions): Promise<AcceptedList> {
    const size = options.sliceSize ?? PORT_LIST_SLICE;
    const pause = options.pause ?? nextTurn;
    const added: BuildId[] = [];
    const coalesced: BuildId[] = [];
    for (let at = next; at < plan.items.length; at += size) {
      await pause();
      options.signal?.throwIfAborted();
      const to = Math.min(plan.items.length, at + size);
      const done = this.#slice(plan, at, to, now);
      added.push(...done.added);
      coalesced.push(...done.coalesced);
      options.onSlice?.(to, plan.items.length);
    }
    return { added, coalesced };
  }

  #slice(plan: BuildersPlan, from: number, to: number, now: number): AcceptedList {
    // The live queue each time: a failed write elsewhere reloads it from the database.
    const queue = this.#deps.queueOf(plan.platform);
    return this.#deps.change(queue, (ctx) => {
      const moved = to >= plan.items.length ? deleteIntake(this.#deps.db, plan.origin, from) : advanceIntake(this.#deps.db, plan.origin, from, to);
      if (moved !== 1) throw new Error(`port list of ${plan.origin}: its items ${String(from)}… were queued by someone else; the database and the queue disagree`);
      const slice = enqueueBuilderSlice(queue, plan, from, to, ctx);
      return { value: ids(slice), changes: slice.changes };
    }, now);
  }
}

function ids(slice: { readonly added: readonly QueueEntry[]; readonly coalesced: readonly QueueEntry[] }): AcceptedList {
  return { added: slice.added.map((e) => e.buildId), coalesced: slice.coalesced.map((e) => e.buildId) };
}
