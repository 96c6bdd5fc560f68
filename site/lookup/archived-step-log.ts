/**
 * Where the log archive keeps one log of one step, below `<archive>/<buildId>/`: buildbot's
 * step and log names as they were (`install-port/files`, `install-dependencies/dependencies`),
 * gzipped text. The controller writes these names; the ledger links them; `site build` reads
 * the `files` log back to serve it as plain text to ports.macports.org's importer.
 */
export function archivedStepLog(step: string, log: string): string {
  return `${encodeURIComponent(step)}/${encodeURIComponent(log)}.txt.gz`;
}

/** The log programs read as text (`…/steps/install-port/logs/files/text`): mpbb's port-contents.txt. */
export const FILES_LOG = { step: 'install-port', log: 'files' } as const;

/**
 * The logs buildbot kept beside each step's output, as mpbb writes them below its work
 * directory's `logs/` (mpbb-install-port, tools/dependencies.tcl): the same names on the site,
 * so tickets' old `…/steps/install-port/logs/main.log` links have a log to lead to.
 */
export const MPBB_STEP_LOGS: Readonly<Record<string, readonly { readonly log: string; readonly file: string }[]>> = {
  'install-dependencies': [{ log: 'dependencies', file: 'dependencies-progress.txt' }],
  'install-port': [
    { log: 'files', file: 'port-contents.txt' },
    { log: 'statistics', file: 'port-statistics.txt' },
    { log: 'main.log', file: 'main.log' },
  ],
};

/** The log group the action prints a step log in (`##[group]portfarm log install-port/files` in the job log). */
export const STEP_LOG_GROUP = 'portfarm log ';

export function stepLogGroup(step: string, log: string): string {
  return `${STEP_LOG_GROUP}${step}/${log}`;
}
