import type { Logger } from 'pino';
import { buildFailureMail, type MailSettings } from '../mail/build-failure-mail.ts';
import type { SendFailureMail } from '../mail/create-mail-sender.ts';
import type { BuildResult } from '../model/build-kind.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';
import type { FailureStatus } from '../status/status-snapshot.ts';
import { appendBuild } from '../../site/ledger/append-build.ts';
import { phaseOfStep } from '../github/translate-webhook.ts';
import { archiveBuildLog, type ArchiveBuildLogOptions } from '../logs/archive-build-log.ts';
import type { JobLog } from '../logs/fetch-job-log.ts';
import { REVISION, STEP_NAME, type LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import type { ArchivedStepLog } from '../logs/archive-build-log.ts';
import { findLedgerBuild } from './find-ledger-build.ts';

/** What the controller knows of a finished build beyond the queue entry. */
export interface FinishedRun {
  readonly runId: number;
  readonly at: Date;
  /** The first failed step of the job, when GitHub said which (`install-port`…). */
  readonly failedPhase: string | null;
  /** The last lines of the failed step's log, when archived. */
  readonly logTail: string;
  /** The run failed for the farm's reason (its runner was lost), not the port's: nobody is mailed. */
  readonly infrastructure?: boolean;
  /** Builds this port's failure holds as blocked, per platform (for the mail). */
  readonly blocks?: readonly { readonly platform: string; readonly count: number }[];
}

export interface RecordFinishedBuildOptions {
  readonly ledgerPath: string;
  /** Where archived logs live on the site (`<siteBase>/logs/<buildId>/...`). */
  readonly siteBaseUrl: string;
  readonly maintainersOf: (port: string) => readonly string[];
  readonly versionOf: (port: string) => string | undefined;
  readonly mail: { readonly send: SendFailureMail; readonly settings: MailSettings } | null;
  readonly log: Logger;
  /**
   * The log archive (`site.logArchiveDir`): the job log is copied out of GitHub before the
   * build is recorded, and the ledger links the copy. Without it the ledger links
   * `<site>/logs/<buildId>/…`, which something else must write (the demo's runners do).
   */
  readonly archive?: Omit<ArchiveBuildLogOptions, 'buildId' | 'describe' | 'fetchLog' | 'signal' | 'siteBaseUrl'> & {
    readonly fetchLog: (runId: number, signal: AbortSignal) => Promise<JobLog>;
    readonly signal: AbortSignal;
  };
}

export interface RecordedBuild {
  readonly ledger: LedgerEntry;
  readonly failure: FailureStatus | null;
  readonly mailed: boolean;
}

/**
 * A finished build goes into the ledger under its buildbot-style builder name (so its URL
 * has the legacy shape), and a failed builder is mailed to the port's maintainers once.
 * Mail failures are logged, never thrown: the build is recorded either way.
 */
export async function recordFinishedBuild(entry: Readonly<QueueEntry>, result: BuildResult, run: FinishedRun, options: RecordFinishedBuildOptions): Promise<RecordedBuild> {
  const role = entry.port === null ? 'watcher' : 'builder';
  const builder = `ports-${entry.platform}-${role}`.toLowerCase();
  const base = options.siteBaseUrl.replace(/\/+$/, '');
  let url = `${base}/logs/${entry.buildId}/`;
  let steps: NonNullable<LedgerEntry['steps']> = [{ name: run.failedPhase ?? 'job', logs: [{ name: 'stdio', url: `${base}/logs/${entry.buildId}/${run.failedPhase ?? 'job'}.txt` }] }];
  const archive = options.archive;
  if (archive !== undefined) {
    const archived = await archiveBuildLog({
      ...archive,
      siteBaseUrl: options.siteBaseUrl,
      buildId: entry.buildId,
      describe: { builder, port: entry.port, platform: entry.platform, result, finishedAt: run.at, runId: run.runId },
      fetchLog: (signal) => archive.fetchLog(run.runId, signal),
    });
    url = archived.pageUrl;
    if (archived.archived) {
      // Every step that ran, with its own output when the job log had it (else the one job log) and mpbb's logs beside it.
      const names = [...new Set([...archived.steps.map(phaseOfStep), ...archived.stepLogs.map((l) => l.step)])].filter((name) => name !== '');
      steps = (names.length === 0 ? ['job'] : names).map((name) => stepWithLogs(name, archived.stepLogs, archived.logUrl));
    } else {
      options.log.warn({ buildId: entry.buildId, runId: run.runId, reason: archived.reason }, 'job log not archived; the build is recorded and its page says why');
      const collected = [...new Set(archived.stepLogs.map((l) => l.step))].map((name) => stepWithLogs(name, archived.stepLogs, archived.pageUrl));
      steps = collected.length > 0 ? collected : [{ name: run.failedPhase ?? 'job', logs: [{ name: 'stdio', url: archived.pageUrl }] }];
    }
  }
  // buildbot's triggered_by: the watcher whose list asked for this build, if the ledger has it yet.
  const watcher = entry.origin === null ? undefined : await findLedgerBuild(options.ledgerPath, entry.origin);
  const { entry: ledger } = await appendBuild(options.ledgerPath, {
    builder,
    ...(entry.port === null ? {} : { port: entry.port }),
    platform: entry.platform,
    result,
    finishedAt: run.at.toISOString(),
    // Whole seconds, as GitHub gives a job's times: the map keeps the start as whole seconds before the finish.
    ...(entry.startedAt === null || entry.startedAt > run.at.getTime() ? {} : { startedAt: new Date(Math.floor(entry.startedAt / 1000) * 1000).toISOString() }),
    ...(watcher === undefined ? {} : { watcher }),
    ...(result === 'failure' && run.failedPhase !== null && STEP_NAME.test(run.failedPhase) ? { failedStep: run.failedPhase } : {}),
    ...(REVISION.test(entry.portsRevision) ? { revision: entry.portsRevision } : {}),
    url,
    steps,
  });
  if (result !== 'failure') return { ledger, failure: null, mailed: false };
  const stableUrl = `${base}/builders/${builder}/builds/${ledger.number}`;
  const failure: FailureStatus = {
    buildId: entry.buildId,
    port: entry.port,
    platform: entry.platform,
    phase: run.failedPhase,
    finishedAt: run.at.toISOString(),
    logUrl: stableUrl,
  };
  if (entry.port === null || options.mail === null || run.infrastructure === true) return { ledger, failure, mailed: false };
  const mail = buildFailureMail(
    {
      port: entry.port,
      version: options.versionOf(entry.port),
      platform: entry.platform,
      buildId: entry.buildId,
      phase: run.failedPhase ?? 'unknown',
      logTail: run.logTail,
      logUrl: stableUrl,
      maintainers: options.maintainersOf(entry.port),
      portsRevision: entry.portsRevision,
      blocks: run.blocks ?? [],
    },
    options.mail.settings,
  );
  try {
    await options.mail.send(mail);
    return { ledger, failure, mailed: true };
  } catch (caught) {
    options.log.warn({ buildId: entry.buildId, err: caught }, 'failure mail not sent');
    return { ledger, failure, mailed: false };
  }
}

/** A step of the ledger line: `stdio` first (its own output, else `fallback`), then the step's other logs. */
function stepWithLogs(name: string, stepLogs: readonly ArchivedStepLog[], fallback: string): NonNullable<LedgerEntry['steps']>[number] {
  const own = stepLogs.filter((l) => l.step === name);
  const stdio = own.find((l) => l.log === 'stdio')?.url ?? fallback;
  return { name, logs: [{ name: 'stdio', url: stdio }, ...own.filter((l) => l.log !== 'stdio').map((l) => ({ name: l.log, url: l.url }))] };
}
