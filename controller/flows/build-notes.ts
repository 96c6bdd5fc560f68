import type { BuildId } from '../model/build-id.ts';

/** How a finished build is recorded: whose failure it was and which phase failed. */
export interface FinishNotes {
  /** The runner was lost (host or VM gone) or never had: the farm's failure, nobody is mailed. */
  readonly runnerLost: boolean;
  /** `runner` (no runner could be had), `runner-lost`, the first failed step, or null when unknown. */
  readonly failedPhase: string | null;
}

/**
 * What the flows learn of a build between its events, held until the build is recorded: the
 * job-changed flow sees the failed step, the run-changed flow asks GitHub why a run failed, the
 * runner manager says when no runner could be had; the build-finished flow takes it all once.
 * In memory only: after a restart a build's cause is asked of GitHub again.
 */
export class BuildNotes {
  readonly #failedPhases = new Map<BuildId, string>();
  /** Builds whose job failed with no failed step (the runner was lost with its VM or host), or that never got a runner. */
  readonly #lostRunners = new Set<BuildId>();

  noteFailedPhase(buildId: BuildId, phase: string): void {
    this.#failedPhases.set(buildId, phase);
  }

  hasFailedPhase(buildId: BuildId): boolean {
    return this.#failedPhases.has(buildId);
  }

  noteRunnerLost(buildId: BuildId): void {
    this.#lostRunners.add(buildId);
  }

  runnerLost(buildId: BuildId): boolean {
    return this.#lostRunners.has(buildId);
  }

  /** The notes of a build being recorded, forgotten as they are taken. */
  take(buildId: BuildId): FinishNotes {
    const runnerLost = this.#lostRunners.delete(buildId);
    const phase = this.#failedPhases.get(buildId);
    this.#failedPhases.delete(buildId);
    if (runnerLost) return { runnerLost, failedPhase: phase === 'runner' ? 'runner' : 'runner-lost' };
    return { runnerLost, failedPhase: phase ?? null };
  }
}
