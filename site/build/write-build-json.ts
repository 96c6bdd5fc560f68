import { gunzipSync } from 'node:zlib';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { archivedStepLog, FILES_LOG } from '../lookup/archived-step-log.ts';
import { buildJson } from '../lookup/build-json.ts';
import { urlFolder } from '../lookup/expand-build.ts';
import type { MapBuild } from '../lookup/site-map.ts';
import type { WindowBuild } from './json-window.ts';

const WRITES_IN_FLIGHT = 16;

export interface WrittenJson {
  /** JSON files written (`/json/builders/<b>/builds/<n>` and `…/-1`). */
  readonly json: number;
  /** `…/steps/install-port/logs/files/text` files written from the log archive. */
  readonly filesLogs: number;
}

/**
 * Real files for the programs that read the site with plain GETs (ports.macports.org's
 * importer runs no JavaScript, so the router page cannot answer it): each window build's
 * buildbot JSON at `/json/builders/<b>/builds/<n>` (no extension, as the reader asks), the
 * newest again at `…/builds/-1`, and, when the controller's log archive is at hand, the build's
 * installed-files list as plain text at `/builders/<b>/builds/<n>/steps/install-port/logs/files/text`.
 */
export async function writeBuildJson(
  dir: string,
  window: Iterable<readonly [string, readonly WindowBuild[]]>,
  siteUrl: string,
  logArchiveDir: string | undefined,
  // A site updated in place writes each file durably (`writeFileDurably`); a new one is swapped in whole.
  write: (path: string, data: string | Uint8Array) => Promise<void> = (path, data) => writeFile(path, data),
): Promise<WrittenJson> {
  let json = 0;
  let filesLogs = 0;
  // Tens of thousands of small files: a few writes in flight at a time, not one after another.
  const pending = new Set<Promise<void>>();
  let failure: Error | undefined;
  const start = async (work: () => Promise<void>): Promise<void> => {
    const done: Promise<void> = work()
      .catch((caught: unknown) => {
        failure ??= caught instanceof Error ? caught : new Error(String(caught));
      })
      .finally(() => pending.delete(done));
    pending.add(done);
    if (pending.size >= WRITES_IN_FLIGHT) await Promise.race(pending);
    if (failure !== undefined) throw failure;
  };
  for (const [builder, builds] of window) {
    const folder = join(dir, 'json', 'builders', builder, 'builds');
    await mkdir(folder, { recursive: true });
    for (const build of builds) {
      await start(async () => {
        await write(join(folder, String(build.held.number)), JSON.stringify(buildJson(builder, build.held.number, mapBuild(build), siteUrl)));
        json += 1;
        if (logArchiveDir !== undefined && build.id !== undefined && (await writeFilesLog(dir, logArchiveDir, build, write))) filesLogs += 1;
      });
    }
    const newest = builds.reduce<WindowBuild | undefined>((a, b) => (a === undefined || b.held.number >= a.held.number ? b : a), undefined);
    if (newest !== undefined) {
      await write(join(folder, '-1'), JSON.stringify(buildJson(builder, newest.held.number, mapBuild(newest), siteUrl)));
      json += 1;
    }
  }
  // A failed write fails the build (the site is swapped in only whole).
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return { json, filesLogs };
}

function mapBuild(build: WindowBuild): MapBuild {
  const h = build.held;
  const base = build.relative ? urlFolder(h.url) : '';
  return {
    ...(h.port === undefined ? {} : { port: h.port }),
    platform: h.platform,
    ...(h.result === undefined ? {} : { result: h.result }),
    ...(h.finishedAt === undefined ? {} : { finishedAt: h.finishedAt }),
    ...(h.startedAt === undefined ? {} : { startedAt: h.startedAt }),
    ...(h.watcher === undefined ? {} : { watcher: h.watcher }),
    ...(h.failedStep === undefined ? {} : { failedStep: h.failedStep }),
    ...(h.revision === undefined ? {} : { revision: h.revision }),
    url: h.url,
    ...(build.steps === undefined ? {} : { steps: build.steps.map((s) => ({ name: s.name, logs: s.logs.map((l) => ({ name: l.name, url: base + l.url })) })) }),
  };
}

/** The path of a build's installed-files list on the site. */
export function filesLogPath(dir: string, builder: string, number: number): string {
  return join(dir, 'builders', builder, 'builds', String(number), 'steps', FILES_LOG.step, 'logs', FILES_LOG.log, 'text');
}

/** The archived `files` log, unzipped to where the importer asks for it; false when the archive has none. */
async function writeFilesLog(dir: string, archiveDir: string, build: WindowBuild, write: (path: string, data: string | Uint8Array) => Promise<void>): Promise<boolean> {
  if (build.id === undefined) return false;
  const source = join(archiveDir, build.id, archivedStepLog(FILES_LOG.step, FILES_LOG.log));
  let zipped: Buffer;
  try {
    zipped = await readFile(source);
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`cannot read the files log ${source} of ${build.held.builder} build ${build.held.number}: ${(caught as Error).message}`, { cause: caught });
  }
  const target = filesLogPath(dir, build.held.builder, build.held.number);
  await mkdir(join(target, '..'), { recursive: true });
  // A list of installed files is kilobytes: unzipped in memory, written like every other file.
  await write(target, gunzipSync(zipped));
  return true;
}
