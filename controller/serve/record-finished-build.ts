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
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';

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
      // One job log; every step of the job links it, so `/steps/<phase>/logs/stdio` resolves for each.
      const names = [...new Set(archived.steps.map(phaseOfStep))].filter((name) => name !== '');
      steps = (names.length === 0 ? ['job'] : names).map((name) => ({ name, logs: [{ name: 'stdio', url: archived.logUrl }] }));
    } else {
      options.log.warn({ buildId: entry.buildId, runId: run.runId, reason: archived.reason }, 'job log not archived; the build is recorded and its page says why');
      steps = [{ name: run.failedPhase ?? 'job', logs: [{ name: 'stdio', url: archived.pageUrl }] }];
    }
  }
  const { entry: ledger } = await appendBuild(options.ledgerPath, {
    builder,
    ...(entry.port === null ? {} : { port: entry.port }),
    platform: entry.platform,
    result,
    finishedAt: run.at.toISOString(),
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
