import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DispatchRequest } from '../../controller/queue/run-gateway.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

/**
 * The fake GitHub of a child that dies at a crash point: its runs are written to
 * `<dir>/github.json` at every change, so they outlive the process as GitHub's do.
 * `answerAfterMs` > 0 answers a dispatch only after that long, as GitHub answers after a round
 * trip, so a round's other dispatches go out meanwhile.
 */
export class PersistentGateway extends FakeRunGateway {
  readonly #dir: string;
  readonly #answerAfterMs: number;

  constructor(dir: string, answerAfterMs = 0) {
    super();
    this.#dir = dir;
    this.#answerAfterMs = answerAfterMs;
  }

  save(): void {
    writeFileSync(join(this.#dir, 'github.json'), JSON.stringify(this.runs));
  }

  override async dispatch(request: DispatchRequest, signal: AbortSignal): Promise<{ readonly runId: number }> {
    const answer = super.dispatch(request, signal);
    this.save();
    if (this.#answerAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#answerAfterMs));
    return answer;
  }

  override async cancel(runId: number, signal: AbortSignal): Promise<{ readonly conclusion: string | null }> {
    const answer = super.cancel(runId, signal);
    this.save();
    return answer;
  }
}
