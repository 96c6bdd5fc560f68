import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.ts';
import type { GitHubClients } from '../github/create-github-clients.ts';
import { fetchJobLog } from '../logs/fetch-job-log.ts';
import type { MailSettings } from '../mail/build-failure-mail.ts';
import type { SendFailureMail } from '../mail/create-mail-sender.ts';
import type { PortFacts } from './port-facts.ts';
import type { RecordFinishedBuildOptions } from './record-finished-build.ts';

/** Where the site keeps the log archive's copies when no `site.logArchiveUrl` is set (`site build` links them there). */
export const SITE_LOGS = 'logs';

export interface RecordSources {
  readonly ledgerPath: string;
  readonly ports: PortFacts;
  readonly mail: { readonly send: SendFailureMail; readonly settings: MailSettings } | null;
  readonly clients: GitHubClients;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Wait before the first retry of a job-log download (default in archiveBuildLog). */
  readonly logArchiveBackoffMs?: number;
}

/** Where a finished build is recorded, from the config's site: section (the log archive only when `site.logArchiveDir` is set). */
export function recordOptionsFromConfig(config: Config, sources: RecordSources): RecordFinishedBuildOptions {
  const { clients } = sources;
  return {
    ledgerPath: sources.ledgerPath,
    siteBaseUrl: config.site.baseUrl,
    maintainersOf: sources.ports.maintainersOf,
    versionOf: sources.ports.versionOf,
    mail: sources.mail,
    log: sources.log,
    ...(config.site.logArchiveDir === undefined
      ? {}
      : {
          archive: {
            dir: resolve(config.site.logArchiveDir),
            // Without an archive URL the site serves the copies itself: the ledger names them relative to
            // the site (`logs/<id>/…`), so a site built from it links its own logs wherever it is served.
            url: config.site.logArchiveUrl ?? SITE_LOGS,
            fetchLog: (runId: number, s: AbortSignal) => fetchJobLog(clients.installation, { owner: clients.owner, repo: clients.repo }, runId, s),
            signal: sources.signal,
            ...(sources.logArchiveBackoffMs === undefined ? {} : { backoffMs: sources.logArchiveBackoffMs }),
          },
        }),
  };
}
