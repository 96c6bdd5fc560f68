import { coerceError } from '../errors/coerce-error.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import type { RunGateway } from './run-gateway.ts';

/** How a preempting cancel ended: the run's conclusion (null while not known), or why asking failed. */
export type CancelOutcome = { readonly conclusion: string | null } | { readonly error: Error };

interface PendingCancel {
  readonly victim: QueueEntry;
  readonly runId: number;
  outcome: CancelOutcome | null;
  readonly done: Promise<void>;
}

/**
 * The preempting cancels under way, one lane per platform. GitHub takes seconds to minutes to
 * complete a cancelled run; only that platform's lane waits for it (its watcher may go only once
 * the cancelled run completed, or the concurrency group would cancel or queue it behind), while
 * the other platforms go on being dispatched. A cancel runs on its own: the reorder service
 * takes its outcome in a later round (`take`), so no state changes outside a round. Held in
 * memory only: the cancel asked for is durable on its build (`cancel_requested`), and after a
 * restart the next round asks again (a cancel of a completed run answers how it ended).
 */
export class CancelLanes {
  readonly #gateway: RunGateway;
  readonly #onSettled: () => void;
  readonly #pending = new Map<string, PendingCancel>();

  constructor(gateway: RunGateway, onSettled: () => void) {
    this.#gateway = gateway;
    this.#onSettled = onSettled;
  }

  /** Whether any platform's lane waits for a cancel. */
  get size(): number {
    return this.#pending.size;
  }

  /** Whether the platform's lane waits for a cancel (started and not yet taken). */
  has(platform: string): boolean {
    return this.#pending.has(platform);
  }

  /** Asks GitHub to cancel the victim's run; the platform's lane waits until its outcome is taken. */
  start(platform: string, victim: QueueEntry, runId: number, signal: AbortSignal): void {
    if (this.#pending.has(platform)) throw new Error(`a cancel is already under way on ${platform}`);
    const pending: PendingCancel = {
      victim,
      runId,
      outcome: null,
      done: this.#gateway.cancel(runId, signal).then(
        (answer) => { pending.outcome = { conclusion: answer.conclusion }; },
        (caught: unknown) => { pending.outcome = { error: coerceError(caught) }; },
      ).finally(() => { this.#onSettled(); }),
    };
    this.#pending.set(platform, pending);
  }

  /**
   * The platform's cancel once it has an outcome, removed from its lane: 'waiting' while GitHub
   * has not completed it, undefined when none was under way.
   */
  take(platform: string): { readonly victim: QueueEntry; readonly runId: number; readonly outcome: CancelOutcome } | 'waiting' | undefined {
    const pending = this.#pending.get(platform);
    if (pending === undefined) return undefined;
    if (pending.outcome === null) return 'waiting';
    this.#pending.delete(platform);
    return { victim: pending.victim, runId: pending.runId, outcome: pending.outcome };
  }

  /** Resolves when every cancel under way has an outcome (tests; a stop). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending.values()].map((p) => p.done));
  }
}
