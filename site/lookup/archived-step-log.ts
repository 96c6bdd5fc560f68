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
