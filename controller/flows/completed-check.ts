import type { CheckConclusion } from '../github/check-run-publisher.ts';
import type { BuildResult } from '../model/build-kind.ts';

/**
 * How a recorded build's check completes: its conclusion, its page in the ledger
 * (`<site>/builders/<builder>/builds/<number>`) and the phase that failed. One answer for the
 * build-finished flow and for a build completed from its ledger line after a crash
 * (on-ledgered-build.ts), so the two never tell a check, or a summary's tally, differently.
 */
export function completedCheck(result: BuildResult, ledger: { readonly builder: string; readonly number: number }, failedPhase: string | null, siteBaseUrl: string): { readonly conclusion: CheckConclusion; readonly extra: { readonly detailsUrl: string; readonly failingPhase?: string } } {
  const base = siteBaseUrl.replace(/\/+$/, '');
  const conclusion: CheckConclusion = result === 'success' ? 'success' : result === 'failure' ? 'failure' : 'cancelled';
  return { conclusion, extra: { detailsUrl: `${base}/builders/${ledger.builder}/builds/${String(ledger.number)}`, ...(failedPhase === null ? {} : { failingPhase: failedPhase }) } };
}
