import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import { readLedgerBatches, type TornLine, type UnsafeUrlLine } from '../ledger/read-ledger.ts';
import { expandBuild } from '../lookup/expand-build.ts';
import { platformOf } from '../lookup/platform-of.ts';
import { buildIdOfArchivePage } from '../lookup/stable-log-url.ts';
import { INDEX_PATH, shardOf, shardPath, SITE_MAP_VERSION, type BuilderSummary, type PackedShard, type SiteIndex } from '../lookup/site-map.ts';
import { PortHistory } from './port-history.ts';
import { packShard } from './pack-shard.ts';
import { unpackShard } from '../lookup/unpack-shard.ts';
import { JsonWindow } from './json-window.ts';
import { writeBuildJson } from './write-build-json.ts';
import type { MapWatcher } from '../lookup/site-map.ts';
import { linkTree } from './link-tree.ts';
import { writeIdRuns } from './write-id-runs.ts';
import { counterId, type CounterId } from '../lookup/id-runs.ts';
import { MANIFEST_PATH, readManifest, sourceDigest, type SiteManifest } from './site-manifest.ts';
import { compactShard, hold, type BuilderState, type ShardBuffer } from './shard-buffer.ts';
import { basePathOf, targetResolver } from './target-url.ts';
import { writeIdBuckets, writePortBuckets } from './write-buckets.ts';
import { builderHtml, buildersIndexHtml, rangeHtml } from './builder-pages.ts';
import { bundleRouter } from './bundle-router.ts';
import { routerHtml } from './router-html.ts';
import { pendingByPort, type EtaSnapshot } from './eta-snapshot.ts';

export interface BuildSiteOptions {
  readonly ledgerPath: string;
  readonly outDir: string;
  /** site.baseUrl: its path is where the site is served (`/` or `/<repo>/` on GitHub Pages). */
  readonly baseUrl: string;
  /** site.logArchiveUrl: relative log URLs in the ledger point below it; without it, below the site. */
  readonly logArchiveUrl?: string | undefined;
  /**
   * site.logArchiveDir: the controller's copies of job logs. Without a logArchiveUrl they are
   * served by the site itself, so they are hard-linked (or copied) into its `/logs/`.
   */
  readonly logArchiveDir?: string | undefined;
  /**
   * Days of newest builds per builder that get real JSON files for programs (site.jsonWindowDays,
   * default JSON_WINDOW_DAYS); older builds' JSON is shown by the router page.
   */
  readonly jsonWindowDays?: number;
  /**
   * The controller's ETA snapshot (`--eta FILE` / `--eta-url URL`): ports with builds queued or
   * running get them on their page with their estimate; without it, port pages say that no
   * estimate is available. Part of what decides whether the site is written again.
   */
  readonly eta?: { readonly snapshot: EtaSnapshot; readonly live?: string | undefined } | undefined;
  /** The site's build time (tests); default now. */
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** Called every PROGRESS_EVERY ledger lines. */
  readonly onProgress?: (lines: number) => void;
  readonly onTornLine: (torn: TornLine) => void;
  /** A ledger line skipped for a URL that could lead off the site; it is not on the site. */
  readonly onUnsafeUrl: (line: UnsafeUrlLine) => void;
}

export interface SiteSummary {
  readonly builds: number;
  readonly builders: number;
  readonly shards: number;
  readonly ports: number;
  readonly files: number;
  /** Of those, JSON files for programs and installed-files lists copied from the log archive. */
  readonly jsonFiles: number;
  readonly filesLogs: number;
  readonly largestShard: { readonly path: string; readonly bytes: number };
  /** Lines naming a builder and number an earlier line already had: the later line wins. */
  readonly duplicates: number;
  /** The first such line, for the warning. */
  readonly firstDuplicate?: { readonly line: number; readonly builder: string; readonly number: number };
  /** True when the folder already held the site of this ledger and options: nothing was written. */
  readonly unchanged?: boolean;
}

export const PROGRESS_EVERY = 100_000;
/** ports.macports.org imports every few hours; two weeks of builds covers a long outage of either side. */
export const JSON_WINDOW_DAYS = 14;
/** Builds of a port on its page, most recent first. */
const RECENT_PER_PORT = 10;
const WRITES_IN_FLIGHT = 16;

/**
 * Writes the static site for a ledger. The ledger is streamed: memory holds one open shard per
 * builder and a few builds per port, not the builds. The site is written to a temporary folder
 * next to `outDir` and swapped in at the end, so a bad ledger line leaves the old site intact
 * (and a failed first build leaves no folder behind).
 */
export async function buildSite(options: BuildSiteOptions): Promise<SiteSummary> {
  const out = resolve(options.outDir);
  await checkOutDir(out);
  const source = await sourceDigest({ ...options, jsonWindowDays: options.jsonWindowDays ?? JSON_WINDOW_DAYS });
  const before = await readManifest(out);
  if (before?.source === source) {
    const { firstDuplicate, ...said } = before.summary;
    return { ...said, ...(firstDuplicate === undefined ? {} : { firstDuplicate }), unchanged: true };
  }
  const base = basePathOf(options.baseUrl);
  // esbuild runs while the ledger is read; the result is awaited only where the pages need it.
  const script = bundleRouter();
  script.catch(() => undefined);
  // The first folder this creates, if any: a failed build removes it again.
  const createdParent = await mkdir(dirname(out), { recursive: true });
  const tmp = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`));
  try {
    await chmod(tmp, 0o755);
    const summary = await writeSite(tmp, base, script, options);
    // Last: a folder with a manifest holds the whole site it describes.
    const manifest: SiteManifest = { v: 1, source, summary };
    await writeFile(join(tmp, MANIFEST_PATH), JSON.stringify(manifest));
    await swapIn(tmp, out);
    return summary;
  } catch (caught) {
    await rm(createdParent ?? tmp, { recursive: true, force: true });
    throw caught;
  }
}

async function writeSite(dir: string, base: string, scriptPromise: Promise<string>, options: BuildSiteOptions): Promise<SiteSummary> {
  await mkdir(join(dir, 'map'), { recursive: true });
  const builders = new Map<string, BuilderState>();
  const ports = new PortHistory(RECENT_PER_PORT);
  const flushed = new Set<string>();
  // Port pages keep a few builds per port for the whole run: one string per platform, not per build.
  const platforms = new Map<string, string>();
  const intern = (text: string): string => {
    const seen = platforms.get(text);
    if (seen !== undefined) return seen;
    platforms.set(text, text);
    return text;
  };
  const target = targetResolver(base, options.logArchiveUrl);
  // Build pages of the controller's log archive name their build id: `/builds/<id>/…` links resolve through them.
  // The controller writes them below site.logArchiveUrl, else relative to the site (`logs/…`; older ledgers: `<site.baseUrl>/logs/`).
  const archiveBases =
    options.logArchiveUrl === undefined
      ? [new URL('logs/', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).href, `${base}logs/`, 'logs/']
      : [options.logArchiveUrl.endsWith('/') ? options.logArchiveUrl : `${options.logArchiveUrl}/`];
  const ids = new Map<string, readonly [string, number]>();
  const window = new JsonWindow(options.jsonWindowDays ?? JSON_WINDOW_DAYS);
  // Lines recorded before builds named their watcher: the platform's watcher recorded last before them.
  const lastWatcher = new Map<string, MapWatcher>();
  const asIs = (url: string): string => url;
  let files = 0;
  let duplicates = 0;
  let firstDuplicate: SiteSummary['firstDuplicate'];
  let largestShard = { path: '', bytes: 0 };
  // Shard and page writes overlap with reading the ledger; at most WRITES_IN_FLIGHT at a time.
  const pending = new Set<Promise<void>>();
  let writeFailure: Error | undefined;
  const write = async (path: string, text: string): Promise<void> => {
    const done: Promise<void> = writeFile(path, text)
      .catch((caught: unknown) => {
        writeFailure ??= new Error(`cannot write ${path}`, { cause: caught });
      })
      .finally(() => pending.delete(done));
    pending.add(done);
    if (pending.size >= WRITES_IN_FLIGHT) await Promise.race(pending);
    if (writeFailure !== undefined) throw writeFailure;
  };

  const flush = async (state: BuilderState): Promise<void> => {
    const buffer = state.buffer;
    if (buffer === undefined) return;
    const path = shardPath(state.name, buffer.shard);
    const shard = compactShard(state, buffer);
    const text = JSON.stringify(packShard(shard));
    const bytes = Buffer.byteLength(text);
    if (bytes > largestShard.bytes) largestShard = { path, bytes };
    if (!flushed.has(path)) {
      await mkdir(join(dir, 'map', state.name), { recursive: true });
      await mkdir(join(dir, 'builders', state.name, 'range', String(buffer.shard)), { recursive: true });
      files += 2;
      flushed.add(path);
    }
    await write(join(dir, path), text);
    await write(join(dir, 'builders', state.name, 'range', String(buffer.shard), 'index.html'), rangeHtml(base, shard, options.baseUrl));
    state.buffer = undefined;
  };

  let lines = 0;
  const reading = readLedgerBatches(options.ledgerPath, { onTornLine: options.onTornLine, onUnsafeUrl: options.onUnsafeUrl, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  for await (const batch of reading) {
    for (const { entry, line } of batch) {
      lines += 1;
      if (options.onProgress !== undefined && lines % PROGRESS_EVERY === 0) options.onProgress(lines);
      let state = builders.get(entry.builder);
      if (state === undefined) {
        state = {
          name: entry.builder,
          implied: intern(platformOf(entry.builder)),
          first: entry.number,
          latest: entry.number,
          count: 0,
          shards: new Set(),
          buffer: undefined,
          latestBuild: undefined,
        };
        builders.set(entry.builder, state);
      }
      const k = shardOf(entry.number);
      if (state.buffer?.shard !== k) {
        await flush(state);
        // Ledgers are appended in order, so a shard comes back only for imports out of order.
        const path = shardPath(state.name, k);
        const buffer: ShardBuffer = { shard: k, builds: new Map(), stepSets: [], setIndex: new Map() };
        state.buffer = buffer;
        if (flushed.has(path)) {
          const written = unpackShard(JSON.parse(await readFile(join(dir, path), 'utf8')) as PackedShard);
          for (const [n, b] of Object.entries(written.builds)) buffer.builds.set(Number(n), hold(state, buffer, Number(n), expandBuild(written, b), asIs, intern));
        }
      }
      const platform = entry.platform ?? state.implied;
      if (entry.builder.endsWith('-watcher')) lastWatcher.set(platform, { builder: entry.builder, number: entry.number });
      const watcher = entry.watcher ?? (entry.port === undefined ? undefined : lastWatcher.get(platform));
      const held = hold(state, state.buffer, entry.number, entry, target, intern, watcher);
      if (state.buffer.builds.has(entry.number)) {
        duplicates += 1;
        firstDuplicate ??= { line, builder: entry.builder, number: entry.number };
      } else state.count += 1;
      state.buffer.builds.set(entry.number, held);
      state.shards.add(k);
      state.first = Math.min(state.first, entry.number);
      if (entry.number >= state.latest) {
        state.latest = entry.number;
        state.latestBuild = held;
      }
      if (held.port !== undefined) ports.note(held.port, held);
      let id: string | undefined;
      for (const archiveBase of archiveBases) id ??= buildIdOfArchivePage(held.url, archiveBase);
      if (id !== undefined) ids.set(id, [state.name, entry.number]);
      const steps = typeof held.steps === 'number' ? state.buffer.stepSets[held.steps] : held.steps;
      window.note({ held, steps, relative: typeof held.steps === 'number', id });
    }
  }
  for (const state of builders.values()) await flush(state);
  await Promise.all(pending);
  if (writeFailure !== undefined) throw writeFailure;
  const script = await scriptPromise;

  const summaries = new Map<string, BuilderSummary>(
    [...builders.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => [s.name, { first: s.first, latest: s.latest, count: s.count, shards: [...s.shards].sort((a, b) => a - b) }]),
  );
  const portFiles = await writePortBuckets(dir, ports, options.eta === undefined ? new Map() : pendingByPort(options.eta.snapshot));
  files += portFiles.files;
  // The controller's ids are kept by counter, a few bytes each; any other id by hash.
  const counted = new Map<CounterId, readonly [string, number]>();
  const hashed = new Map<string, readonly [string, number]>();
  for (const [id, at] of ids) {
    const counter = counterId(id);
    if (counter === undefined) hashed.set(id, at);
    else counted.set(counter, at);
  }
  files += await writeIdRuns(dir, counted);
  const idBuckets = await writeIdBuckets(dir, hashed);
  files += idBuckets;
  const index: SiteIndex = {
    v: SITE_MAP_VERSION,
    basePath: base,
    baseUrl: options.baseUrl,
    builds: [...summaries.values()].reduce((sum, s) => sum + s.count, 0),
    builders: Object.fromEntries(summaries),
    portBuckets: portFiles.files,
    ports: portFiles.ports,
    idBuckets,
    builtAt: (options.now?.() ?? new Date()).toISOString(),
    ...(options.eta === undefined ? {} : { eta: { asOf: options.eta.snapshot.generatedAt, ...(options.eta.live === undefined ? {} : { live: options.eta.live }) } }),
  };
  await writeFile(join(dir, INDEX_PATH), JSON.stringify(index));
  const router = routerHtml(base, script);
  await writeFile(join(dir, 'index.html'), router);
  await writeFile(join(dir, '404.html'), router);
  if (options.logArchiveDir !== undefined && options.logArchiveUrl === undefined) await linkTree(resolve(options.logArchiveDir), join(dir, 'logs'));
  // GitHub Pages must not run Jekyll over the site: it drops paths starting with "_" (map/_index.json).
  await writeFile(join(dir, '.nojekyll'), '');
  await mkdir(join(dir, 'builders'), { recursive: true });
  await writeFile(join(dir, 'builders', 'index.html'), buildersIndexHtml(base, summaries));
  files += 5;
  const written = await writeBuildJson(dir, window, options.baseUrl, options.logArchiveDir === undefined ? undefined : resolve(options.logArchiveDir));
  files += written.json + written.filesLogs;
  for (const [name, summary] of summaries) {
    const latest = builders.get(name)?.latestBuild;
    await writeFile(join(dir, 'builders', name, 'index.html'), builderHtml(base, name, summary, latest));
    if (latest !== undefined) {
      await mkdir(join(dir, 'builders', name, 'builds', '-1'), { recursive: true });
      const fallback = { url: latest.url, label: `${name} build ${latest.number}` };
      await writeFile(join(dir, 'builders', name, 'builds', '-1', 'index.html'), routerHtml(base, script, fallback));
      files += 1;
    }
    files += 1;
  }
  return {
    builds: index.builds,
    builders: summaries.size,
    shards: flushed.size,
    ports: portFiles.ports,
    files,
    jsonFiles: written.json,
    filesLogs: written.filesLogs,
    largestShard,
    duplicates,
    ...(firstDuplicate === undefined ? {} : { firstDuplicate }),
  };
}


/** Never swap away a folder that is not a site: `--out .` must not delete the user's files. */
async function checkOutDir(out: string): Promise<void> {
  if (!existsSync(out)) return;
  const info = await stat(out);
  if (!info.isDirectory()) throw new UserError(`--out ${out} is a file; give a folder for the site`);
  const entries = await readdir(out);
  if (entries.length > 0 && !existsSync(join(out, INDEX_PATH))) {
    throw new UserError(`--out ${out} is not empty and holds no site written by portfarm site build (no ${INDEX_PATH}); give a new or empty folder`);
  }
}

async function swapIn(tmp: string, out: string): Promise<void> {
  if (!existsSync(out)) {
    await rename(tmp, out);
    return;
  }
  const old = `${tmp}-old`;
  await rename(out, old);
  await rename(tmp, out);
  await rm(old, { recursive: true, force: true });
}
