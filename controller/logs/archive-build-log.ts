import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
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

export type ArchivedLog =
  | { readonly archived: true; readonly pageUrl: string; readonly logUrl: string; readonly steps: readonly string[] }
  | { readonly archived: false; readonly pageUrl: string; readonly reason: string };

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
      await writeFileDurably(join(folder, BUILD_PAGE), buildPage(options, { logUrl: `${base}${JOB_LOG}`, bytes: Buffer.byteLength(log.text) }));
      return { archived: true, pageUrl: `${base}${BUILD_PAGE}`, logUrl: `${base}${JOB_LOG}`, steps: log.steps };
    } catch (caught) {
      if (options.signal.aborted) throw caught;
      const status = (caught as { status?: unknown }).status;
      reason = `${typeof status === 'number' ? `HTTP ${status}: ` : ''}${caught instanceof Error ? caught.message : String(caught)}`;
      if (attempt < attempts) await sleep((options.backoffMs ?? 2000) * 2 ** (attempt - 1), undefined, { signal: options.signal });
    }
  }
  const why = `the job log could not be archived from GitHub after ${attempts} tries: ${reason}`;
  await writeFileDurably(join(folder, BUILD_PAGE), buildPage(options, { failure: why }));
  return { archived: false, pageUrl: `${base}${BUILD_PAGE}`, reason: why };
}

function buildPage(options: ArchiveBuildLogOptions, log: { readonly logUrl: string; readonly bytes: number } | { readonly failure: string }): string {
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
  return pageHtml({
    title: `${what}: ${d.result} — MacPorts build logs`,
    base: site,
    body: `<h1>${escapeHtml(what)}: ${escapeHtml(d.result)}</h1><table id="build">${rows}</table>${logLine}`,
  });
}
