import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { ControllerStats } from '../serve/controller-stats.ts';
import type { RecentFailures } from '../serve/recent-failures.ts';
import { recordFinishedBuild, type RecordFinishedBuildOptions } from '../serve/record-finished-build.ts';
import type { BuildNotes } from './build-notes.ts';
import type { CheckPublishing } from './check-publishing.ts';
import { completedCheck } from './completed-check.ts';
import { crashPoint } from '../errors/crash-point.ts';

export interface OnBuildFinishedOptions {
  readonly reorder: Pick<ReorderService, 'describeBuild' | 'recorded' | 'blocked'>;
  readonly notes: Pick<BuildNotes, 'take'>;
  readonly checks: Pick<CheckPublishing, 'completed' | 'blocked'>;
  readonly stats: Pick<ControllerStats, 'finished' | 'failures' | 'mailsSent'>;
  readonly failures: Pick<RecentFailures, 'add'>;
  /** The ledger, the log archive, the failure mail (see recordFinishedBuild). */
  readonly record: RecordFinishedBuildOptions;
  /** The end of a failed build's log for its mail; empty when unknown. */
  readonly logTailOf?: (buildId: BuildId, phase: string | null) => Promise<string>;
}

/**
 * A finished build's run, as its webhook or reconcile found it, with the result to record (a
 * build cancelled by others too often is a failure) and the failed phase when the queue set one
 * (`cancelled-by-others`: the farm's trouble, not the port's; nobody is mailed).
 */
export type BuildFinished = (buildId: BuildId, result: BuildResult, event: { readonly runId: number; readonly at: Date }, phase?: string | null) => Promise<void>;

/**
 * A build finished (from its webhook, found by reconcile, or committed before a crash): it goes
 * into the ledger, a port's failure is mailed to its maintainers (not the farm's: a lost
 * runner), its check completes with the build's page, and the queue is told it is recorded.
 * A build the queue no longer knows is only marked recorded.
 */
export function createOnBuildFinished(options: OnBuildFinishedOptions): BuildFinished {
  const { reorder, notes, checks, stats, failures } = options;
  return async (buildId, result, event, phase = null) => {
    const entry = reorder.describeBuild(buildId);
    if (entry === undefined) {
      reorder.recorded(buildId);
      return;
    }
    stats.finished += 1;
    const noted = notes.take(buildId);
    const runnerLost = noted.runnerLost || phase !== null;
    const failedPhase = phase ?? noted.failedPhase;
    const logTail = result === 'failure' && options.logTailOf !== undefined ? await options.logTailOf(buildId, failedPhase).catch(() => '') : '';
    const blocks = result === 'failure' && entry.port !== null ? blockedBy(reorder, entry.port) : [];
    const recorded = await recordFinishedBuild(entry, result, { runId: event.runId, at: event.at, failedPhase, logTail, infrastructure: runnerLost, blocks }, options.record);
    if (recorded.failure !== null) {
      stats.failures += 1;
      failures.add(recorded.failure);
    }
    crashPoint('ledger-written');
    if (recorded.mailed) stats.mailsSent += 1;
    // A crash from here to `recorded` leaves the finish note beside the ledger line: the next start completes the check from the line (on-ledgered-build.ts).
    const { conclusion, extra } = completedCheck(result, recorded.ledger, failedPhase, options.record.siteBaseUrl);
    checks.completed(buildId, conclusion, extra);
    if (blocks.length > 0 && entry.port !== null) checks.blocked(entry.platform, entry.port);
    reorder.recorded(buildId);
  };
}

/** Per platform, how many builds the failed port holds as blocked (the queue parked them when the failure was recorded). */
function blockedBy(reorder: Pick<ReorderService, 'blocked'>, port: string): { platform: string; count: number }[] {
  const key = port.toLowerCase();
  return reorder.blocked().flatMap(({ platform, blocked }) => {
    const held = blocked.byPort.find((b) => b.port.toLowerCase() === key);
    return held === undefined ? [] : [{ platform, count: held.count }];
  });
}
