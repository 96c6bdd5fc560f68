import type { Logger } from 'pino';
import { coerceError } from '../errors/coerce-error.ts';
import type { BuildId } from '../model/build-id.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { RunGateway } from '../queue/run-gateway.ts';

export interface NoRunnerCancelsOptions {
  readonly gateway: Pick<RunGateway, 'cancel'>;
  /** Where a cancel asked for is looked up: a build finished or requeued meanwhile needs none. */
  readonly reorder: Pick<ReorderService, 'describeBuild'>;
  readonly log: Logger;
}

/**
 * The runs of builds the runner manager gave up on (no VM or runner could be had). Each is
 * cancelled so its platform's lane moves on; a cancel GitHub did not take (a rate limit, a 5xx,
 * no network) is asked again by every catch-up sweep until GitHub takes it or the build no
 * longer waits on that run. Without this the run stayed queued with no runner until GitHub's
 * own 24-hour limit on a queued job cancelled it, and the platform dispatched nothing meanwhile.
 */
export class NoRunnerCancels {
  readonly #options: NoRunnerCancelsOptions;
  readonly #wanted = new Map<BuildId, number>();

  constructor(options: NoRunnerCancelsOptions) {
    this.#options = options;
  }

  /** Cancels the build's run now; kept for the next sweep when GitHub does not take it. */
  async cancel(buildId: BuildId, runId: number, signal: AbortSignal): Promise<void> {
    this.#wanted.set(buildId, runId);
    await this.#ask(buildId, runId, signal);
  }

  /** Asks again for every cancel GitHub has not taken yet (the catch-up sweep). */
  async retry(signal: AbortSignal): Promise<void> {
    for (const [buildId, runId] of [...this.#wanted]) {
      if (signal.aborted) return;
      if (!this.#waitsOn(buildId, runId)) {
        this.#wanted.delete(buildId);
        continue;
      }
      await this.#ask(buildId, runId, signal);
    }
  }

  /** Cancels GitHub has not taken yet. */
  pending(): readonly { readonly buildId: BuildId; readonly runId: number }[] {
    return [...this.#wanted].map(([buildId, runId]) => ({ buildId, runId }));
  }

  /** Whether the build is still in flight on this run. */
  #waitsOn(buildId: BuildId, runId: number): boolean {
    const entry = this.#options.reorder.describeBuild(buildId);
    return entry !== undefined && entry.state !== 'finished' && entry.runId === runId;
  }

  async #ask(buildId: BuildId, runId: number, signal: AbortSignal): Promise<void> {
    try {
      await this.#options.gateway.cancel(runId, signal);
      this.#wanted.delete(buildId);
    } catch (error) {
      this.#options.log.warn({ buildId, runId, err: coerceError(error) }, 'cancelling the run of a build without a runner failed; the next sweep asks again');
    }
  }
}
