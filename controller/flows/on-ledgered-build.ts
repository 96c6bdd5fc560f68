import type { Logger } from 'pino';
import type { FinishNote } from '../queue/finish-notes.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import { findLedgerLine, type LedgerLine } from '../serve/find-ledger-build.ts';
import type { CheckPublishing } from './check-publishing.ts';
import { completedCheck } from './completed-check.ts';

export interface OnLedgeredBuildOptions {
  readonly reorder: Pick<ReorderService, 'recorded'>;
  readonly checks: Pick<CheckPublishing, 'completed'>;
  readonly ledgerPath: string;
  /** The site's base URL: a check's details link is the build's page there. */
  readonly siteBaseUrl: string;
  readonly log: Pick<Logger, 'warn'>;
  /** The build's ledger line (default: looked for among the ledger's last lines). */
  readonly findLine?: (buildId: string) => Promise<LedgerLine | undefined>;
}

/**
 * A build whose ledger line was written before a crash, but whose recording stopped before
 * the queue was told (its finish note stayed): at the next start its check completes from
 * the line, and with it the tally of the summary check counting it (a port counted as started
 * that built, a failure missing from the summary's table), then the note is cleared. The
 * check is completed before the note goes, so a crash in between only does it again, and
 * again changes nothing: a port's tally moves once to the state it finished in.
 */
export function createOnLedgeredBuild(options: OnLedgeredBuildOptions): (note: FinishNote) => Promise<void> {
  const findLine = options.findLine ?? ((buildId: string) => findLedgerLine(options.ledgerPath, buildId));
  return async (note) => {
    const line = await findLine(note.buildId);
    if (line === undefined) {
      options.log.warn({ buildId: note.buildId }, 'build recorded in the ledger before a crash, but its line was not found again; its check is left as it was');
    } else {
      const { conclusion, extra } = completedCheck(note.result, line, note.phase ?? line.failedStep ?? null, options.siteBaseUrl);
      options.checks.completed(note.buildId, conclusion, extra);
    }
    options.reorder.recorded(note.buildId);
  };
}
