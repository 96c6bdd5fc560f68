import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { BuildId } from '../model/build-id.ts';
import type { BuildFinished } from './on-build-finished.ts';

export interface RecordWorkerOptions {
  /** The build-finished flow: log archive, then ledger line, mail, check, `recorded`. */
  readonly record: BuildFinished;
  readonly log: Pick<Logger, 'warn' | 'error'>;
  readonly signal: AbortSignal;
  /** After each build recorded (a scheduling round: its check goes out, the status shows it). */
  readonly recorded?: (buildId: BuildId) => void;
  /** Tries of a recording that throws (default 3), waiting retryMs·n between them (default 5 s). */
  readonly attempts?: number;
  readonly retryMs?: number;
}

type Job = Parameters<BuildFinished>;

/**
 * Finished builds are recorded in a worker of their own, one at a time, in the order they
 * finished: the log download (which retries for up to 14 s per build, and a job log can be
 * large) and the ledger write are never awaited by the scheduling round, the catch-up sweep or a
 * webhook, so the next dispatch never waits behind them. `record` hands the build over and
 * returns at once; a build already waiting or being recorded is not taken twice. Nothing is
 * lost: the queue committed the build's finish note with its finish, and only the recording
 * clears it, so a build whose recording was cut off (a stop, a crash, every try failed) is
 * recorded by the next start (catch-up's `recordUnrecorded`). The ledger line is still written
 * only after the log was kept (archiveBuildLog, then the ledger): never pointing at no log.
 */
export class RecordWorker {
  readonly #options: RecordWorkerOptions;
  readonly #queue: Job[] = [];
  readonly #taken = new Set<BuildId>();
  #wake: (() => void) | undefined;
  readonly #idleWaiters: (() => void)[] = [];
  /** Settles when the worker stopped (its signal aborted and the recording in flight ended). */
  readonly stopped: Promise<void>;

  constructor(options: RecordWorkerOptions) {
    this.#options = options;
    options.signal.addEventListener('abort', () => { this.#wake?.(); }, { once: true });
    this.stopped = this.#run();
  }

  /** Hands a finished build to the worker (the BuildFinished flow's signature; settles at once). */
  readonly record: BuildFinished = (...job) => {
    const [buildId] = job;
    if (!this.#taken.has(buildId) && !this.#options.signal.aborted) {
      this.#taken.add(buildId);
      this.#queue.push(job);
      this.#wake?.();
    }
    return Promise.resolve();
  };

  /** Builds waiting or being recorded. */
  get pending(): number {
    return this.#taken.size;
  }

  /** Resolves when nothing waits to be recorded (tests wait for the ledger with it). */
  idle(): Promise<void> {
    if (this.#taken.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(): Promise<void> {
    const { signal } = this.#options;
    while (!signal.aborted) {
      const job = this.#queue.shift();
      if (job === undefined) {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
        await new Promise<void>((resolve) => { this.#wake = resolve; });
        this.#wake = undefined;
        continue;
      }
      await this.#recordOne(job);
      this.#taken.delete(job[0]);
      this.#options.recorded?.(job[0]);
    }
    this.#taken.clear();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  // A method, not an inline read: the signal aborts while a recording awaits.
  #stopping(): boolean {
    return this.#options.signal.aborted;
  }

  async #recordOne(job: Job): Promise<void> {
    const { signal, log } = this.#options;
    const attempts = this.#options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts && !signal.aborted; attempt += 1) {
      try {
        await this.#options.record(...job);
        return;
      } catch (caught) {
        if (this.#stopping()) return;
        const last = attempt === attempts;
        log[last ? 'error' : 'warn']({ err: caught, buildId: job[0], attempt }, last ? 'recording the finished build failed; its finish note stays and the next start records it' : 'recording the finished build failed; trying again');
        if (!last) await sleep((this.#options.retryMs ?? 5000) * attempt, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
