import { gzipSync } from 'node:zlib';
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { archivedStepLog, MPBB_STEP_LOGS } from '../../site/lookup/archived-step-log.ts';
import { splitStepLogs } from './split-step-logs.ts';
import { phaseOfStep } from '../github/translate-webhook.ts';
import { escapeHtml } from '../../site/build/escape-html.ts';
import { pageHtml } from '../../site/build/page-html.ts';
import { writeFileDurably } from '../io/write-file-durably.ts';
import type { JobLog } from './fetch-job-log.ts';

/** File names in `<archive>/<buildId>/`: the ledger's URLs name them. */
export const BUILD_PAGE = 'index.html';
export const JOB_LOG = 'stdio.txt.gz';

export interface ArchiveBuildLogOptions {
  /** `site.logArchiveDir`: the folder the archive is written to. */
  readonly dir: string;
  /** Where that folder is published: `site.logArchiveUrl`, else `<site.baseUrl>/logs`. */
  readonly url: string;
  /** The site, for the build page's links back. */
  readonly siteBaseUrl: string;
  readonly buildId: string;
  readonly describe: { readonly builder: string; readonly port: string | null; readonly platform: string; readonly result: string; readonly finishedAt: Date; readonly runId: number };
  readonly fetchLog: (signal: AbortSignal) => Promise<JobLog>;
  /** Tries in all (default 4), waiting backoffMs·2ⁿ between them (default 2 s). */
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly signal: AbortSignal;
}

/** One step's log in the archive: `<step>/<log>.txt.gz` below the build's folder. */
export interface ArchivedStepLog {
  readonly step: string;
  readonly log: string;
  readonly url: string;
}

export type ArchivedLog =
  | { readonly archived: true; readonly pageUrl: string; readonly logUrl: string; readonly steps: readonly string[]; readonly stepLogs: readonly ArchivedStepLog[] }
  | { readonly archived: false; readonly pageUrl: string; readonly reason: string; readonly stepLogs: readonly ArchivedStepLog[] };



/**
 * Copies a finished build's job log out of GitHub (which deletes it after the retention
 * period) into the log archive, gzipped and written durably, with a build page beside it. The
 * ledger links to these copies, never to GitHub. A download that still fails after the retries
 * leaves the build page saying so (the ledger links the page instead of the log): the build is
 * recorded either way.
 */
export async function archiveBuildLog(options: ArchiveBuildLogOptions): Promise<ArchivedLog> {
  const base = `${options.url.replace(/\/+$/, '')}/${options.buildId}/`;
  const folder = join(options.dir, options.buildId);
  const attempts = options.attempts ?? 4;
  let reason = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const log = await options.fetchLog(options.signal);
      await writeFileDurably(join(folder, JOB_LOG), gzipSync(log.text));
      // Each step's own output and mpbb's logs, cut out of the job log where the action printed them.
      for (const [key, text] of splitStepLogs(log.text)) {
        const [step = '', name = ''] = key.split('/');
        await writeFileDurably(join(folder, archivedStepLog(step, name)), gzipSync(text));
      }
      const stepLogs = await listStepLogs(folder, base);
      const phases = [...new Set(log.steps.map(phaseOfStep))];
      await writeFileDurably(join(folder, BUILD_PAGE), buildPage(options, { logUrl: `${base}${JOB_LOG}`, bytes: Buffer.byteLength(log.text) }, stepLogs, phases));
      return { archived: true, pageUrl: `${base}${BUILD_PAGE}`, logUrl: `${base}${JOB_LOG}`, steps: log.steps, stepLogs };
    } catch (caught) {
      if (options.signal.aborted) throw caught;
      const status = (caught as { status?: unknown }).status;
      reason = `${typeof status === 'number' ? `HTTP ${status}: ` : ''}${caught instanceof Error ? caught.message : String(caught)}`;
      if (attempt < attempts) await sleep((options.backoffMs ?? 2000) * 2 ** (attempt - 1), undefined, { signal: options.signal });
    }
  }
  const why = `the job log could not be archived from GitHub after ${attempts} tries: ${reason}`;
  // Logs a VM backend copied out of the VM before it was destroyed are kept even so.
  const stepLogs = await listStepLogs(folder, base);
  await writeFileDurably(join(folder, BUILD_PAGE), buildPage(options, { failure: why }, stepLogs, []));
  return { archived: false, pageUrl: `${base}${BUILD_PAGE}`, reason: why, stepLogs };
}

/**
 * The step logs in a build's folder: those cut out of the job log and those a VM backend that
 * can reach the VM's disk copied there before destroying it (the demo's runners do), by
 * `archivedStepLog`'s names. Sorted so the ledger line is the same however they arrived.
 */
async function listStepLogs(folder: string, base: string): Promise<ArchivedStepLog[]> {
  const found: ArchivedStepLog[] = [];
  let steps;
  try {
    steps = await readdir(folder, { withFileTypes: true });
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw caught;
  }
  for (const step of steps) {
    if (!step.isDirectory() || step.name.startsWith('.')) continue;
    for (const file of await readdir(join(folder, step.name))) {
      if (file.startsWith('.') || !file.endsWith('.txt.gz')) continue;
      const stepName = decodeURIComponent(step.name);
      const log = decodeURIComponent(file.slice(0, -'.txt.gz'.length));
      if (archivedStepLog(stepName, log) !== `${step.name}/${file}`) continue;
      found.push({ step: stepName, log, url: `${base}${archivedStepLog(stepName, log)}` });
    }
  }
  return found.sort((a, b) => a.step.localeCompare(b.step) || (a.log === 'stdio' ? -1 : b.log === 'stdio' ? 1 : a.log.localeCompare(b.log)));
}

function buildPage(
  options: ArchiveBuildLogOptions,
  log: { readonly logUrl: string; readonly bytes: number } | { readonly failure: string },
  stepLogs: readonly ArchivedStepLog[],
  phases: readonly string[],
): string {
  const d = options.describe;
  const site = options.siteBaseUrl.endsWith('/') ? options.siteBaseUrl : `${options.siteBaseUrl}/`;
  const what = d.port === null ? `watcher on ${d.platform}` : `${d.port} on ${d.platform}`;
  const rows = [
    ['builder', d.builder],
    ['build id', options.buildId],
    ['port', d.port ?? '(watcher)'],
    ['platform', d.platform],
    ['result', d.result],
    ['finished', d.finishedAt.toISOString()],
    ['GitHub run', String(d.runId)],
  ]
    .map(([k, v]) => `<tr><th>${escapeHtml(k ?? '')}</th><td>${escapeHtml(v ?? '')}</td></tr>`)
    .join('');
  const logLine =
    'failure' in log
      ? `<p id="log" class="failure">No log: ${escapeHtml(log.failure)}.</p>`
      : `<p id="log"><a href="${escapeHtml(log.logUrl)}">Job log (stdio)</a>, ${log.bytes.toLocaleString('en')} bytes of text, gzipped.</p>`;
  // Every log kept per step, and the logs buildbot had that this build's steps did not leave (said, not hidden).
  const kept = stepLogs.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(`${l.step} · ${l.log}`)}</a></li>`);
  const missing = phases.flatMap((phase) =>
    (MPBB_STEP_LOGS[phase] ?? [])
      .filter(({ log: name }) => !stepLogs.some((l) => l.step === phase && l.log === name))
      .map(({ log: name, file }) => `<li class="missing">${escapeHtml(`${phase} · ${name}`)}: not kept (the job log holds no copy of mpbb's ${file}: mpbb did not write it, as when the port failed before, or the action that prints it is older)</li>`),
  );
  const stepList = kept.length + missing.length === 0 ? '' : `<h2>Step logs</h2><ul id="step-logs">${[...kept, ...missing].join('')}</ul>`;
  return pageHtml({
    title: `${what}: ${d.result} — MacPorts build logs`,
    base: site,
    body: `<h1>${escapeHtml(what)}: ${escapeHtml(d.result)}</h1><table id="build">${rows}</table>${logLine}${stepList}`,
  });
}
