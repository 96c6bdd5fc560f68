import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import type { LedgerEntry } from '../ledger/ledger-entry.ts';
import { readLedger, type TornLine } from '../ledger/read-ledger.ts';
import { portBucket } from '../lookup/port-bucket.ts';
import {
  INDEX_PATH,
  portBucketPath,
  shardOf,
  shardPath,
  SITE_MAP_VERSION,
  type BuilderSummary,
  type MapBuild,
  type MapShard,
  type PortBucket,
  type PortBuild,
  type SiteIndex,
} from '../lookup/site-map.ts';
import { builderHtml, buildersIndexHtml, rangeHtml } from './builder-pages.ts';
import { bundleRouter } from './bundle-router.ts';
import { routerHtml } from './router-html.ts';

export interface BuildSiteOptions {
  readonly ledgerPath: string;
  readonly outDir: string;
  /** site.baseUrl: its path is where the site is served (`/` or `/<repo>/` on GitHub Pages). */
  readonly baseUrl: string;
  /** site.logArchiveUrl: relative log URLs in the ledger point below it; without it, below the site. */
  readonly logArchiveUrl?: string | undefined;
  readonly signal?: AbortSignal;
  /** Called every PROGRESS_EVERY ledger lines. */
  readonly onProgress?: (lines: number) => void;
  readonly onTornLine: (torn: TornLine) => void;
}

export interface SiteSummary {
  readonly builds: number;
  readonly builders: number;
  readonly shards: number;
  readonly ports: number;
  readonly files: number;
  readonly largestShard: { readonly path: string; readonly bytes: number };
  /** Lines naming a builder and number an earlier line already had: the later line wins. */
  readonly duplicates: number;
}

export const PROGRESS_EVERY = 100_000;
/** Builds of a port on its page, most recent first. */
const RECENT_PER_PORT = 10;
/** About this many ports per `/map/_ports/<bucket>.json`. */
const PORTS_PER_BUCKET = 40;

interface BuilderState {
  readonly name: string;
  first: number;
  latest: number;
  count: number;
  readonly shards: Set<number>;
  buffer: { shard: number; builds: Map<number, MapBuild> } | undefined;
  latestEntry: LedgerEntry | undefined;
}

interface PortState {
  readonly latest: Map<string, PortBuild>;
  readonly recent: PortBuild[];
}

/**
 * Writes the static site for a ledger. The ledger is streamed: memory holds one open shard per
 * builder and a few builds per port, not the builds. The site is written to a temporary folder
 * next to `outDir` and swapped in at the end, so a bad ledger line leaves the old site intact.
 */
export async function buildSite(options: BuildSiteOptions): Promise<SiteSummary> {
  const out = resolve(options.outDir);
  await checkOutDir(out);
  const base = basePathOf(options.baseUrl);
  const script = await bundleRouter();
  await mkdir(dirname(out), { recursive: true });
  const tmp = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`));
  try {
    await chmod(tmp, 0o755);
    const summary = await writeSite(tmp, base, script, options);
    await swapIn(tmp, out);
    return summary;
  } catch (caught) {
    await rm(tmp, { recursive: true, force: true });
    throw caught;
  }
}

async function writeSite(dir: string, base: string, script: string, options: BuildSiteOptions): Promise<SiteSummary> {
  const builders = new Map<string, BuilderState>();
  const ports = new Map<string, PortState>();
  const flushed = new Set<string>();
  const interned = new Map<string, string>();
  const intern = (text: string): string => {
    const seen = interned.get(text);
    if (seen !== undefined) return seen;
    interned.set(text, text);
    return text;
  };
  const target = (url: string): string => resolveTarget(url, base, options.logArchiveUrl);
  let files = 0;
  let duplicates = 0;
  let largestShard = { path: '', bytes: 0 };

  const flush = async (state: BuilderState): Promise<void> => {
    const buffer = state.buffer;
    if (buffer === undefined) return;
    const path = shardPath(state.name, buffer.shard);
    const shard: MapShard = {
      v: SITE_MAP_VERSION,
      builder: state.name,
      shard: buffer.shard,
      builds: Object.fromEntries([...buffer.builds].sort((a, b) => a[0] - b[0]).map(([n, b]) => [String(n), b])),
    };
    const text = JSON.stringify(shard);
    const bytes = Buffer.byteLength(text);
    if (bytes > largestShard.bytes) largestShard = { path, bytes };
    if (!flushed.has(path)) {
      await mkdir(join(dir, 'map', state.name), { recursive: true });
      await mkdir(join(dir, 'builders', state.name, 'range', String(buffer.shard)), { recursive: true });
      files += 2;
      flushed.add(path);
    }
    await writeFile(join(dir, path), text);
    await writeFile(join(dir, 'builders', state.name, 'range', String(buffer.shard), 'index.html'), rangeHtml(base, state.name, buffer.shard, buffer.builds));
    state.buffer = undefined;
  };

  let lines = 0;
  for await (const { entry } of readLedger(options.ledgerPath, { onTornLine: options.onTornLine, ...(options.signal === undefined ? {} : { signal: options.signal }) })) {
    lines += 1;
    if (options.onProgress !== undefined && lines % PROGRESS_EVERY === 0) options.onProgress(lines);
    let state = builders.get(entry.builder);
    if (state === undefined) {
      state = { name: entry.builder, first: entry.number, latest: entry.number, count: 0, shards: new Set(), buffer: undefined, latestEntry: undefined };
      builders.set(entry.builder, state);
    }
    const k = shardOf(entry.number);
    if (state.buffer?.shard !== k) {
      await flush(state);
      // Ledgers are appended in order, so a shard comes back only for imports out of order.
      const path = shardPath(state.name, k);
      state.buffer = { shard: k, builds: flushed.has(path) ? await readShardBack(join(dir, path)) : new Map<number, MapBuild>() };
    }
    const build = toMapBuild(entry, target, intern);
    if (state.buffer.builds.has(entry.number)) duplicates += 1;
    else state.count += 1;
    state.buffer.builds.set(entry.number, build);
    state.shards.add(k);
    state.first = Math.min(state.first, entry.number);
    if (entry.number >= state.latest) {
      state.latest = entry.number;
      state.latestEntry = entry;
    }
    if (entry.port !== undefined) notePortBuild(ports, entry, state.name, build, intern);
  }
  for (const state of builders.values()) await flush(state);

  const summaries = new Map<string, BuilderSummary>(
    [...builders.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => [s.name, { first: s.first, latest: s.latest, count: s.count, shards: [...s.shards].sort((a, b) => a - b) }]),
  );
  files += await writePortBuckets(dir, ports);
  const index: SiteIndex = {
    v: SITE_MAP_VERSION,
    basePath: base,
    baseUrl: options.baseUrl,
    builds: [...summaries.values()].reduce((sum, s) => sum + s.count, 0),
    builders: Object.fromEntries(summaries),
    portBuckets: ports.size === 0 ? 0 : Math.ceil(ports.size / PORTS_PER_BUCKET),
    ports: ports.size,
  };
  await writeFile(join(dir, INDEX_PATH), JSON.stringify(index));
  const router = routerHtml(base, script);
  await writeFile(join(dir, 'index.html'), router);
  await writeFile(join(dir, '404.html'), router);
  // GitHub Pages must not run Jekyll over the site: it drops paths starting with "_" (map/_index.json).
  await writeFile(join(dir, '.nojekyll'), '');
  await mkdir(join(dir, 'builders'), { recursive: true });
  await writeFile(join(dir, 'builders', 'index.html'), buildersIndexHtml(base, summaries));
  files += 5;
  for (const [name, summary] of summaries) {
    const state = builders.get(name);
    await writeFile(join(dir, 'builders', name, 'index.html'), builderHtml(base, name, summary, state?.latestEntry));
    const latest = state?.latestEntry;
    if (latest !== undefined) {
      await mkdir(join(dir, 'builders', name, 'builds', '-1'), { recursive: true });
      const fallback = { url: target(latest.url), label: `${name} build ${latest.number}` };
      await writeFile(join(dir, 'builders', name, 'builds', '-1', 'index.html'), routerHtml(base, script, fallback));
      files += 1;
    }
    files += 1;
  }
  return {
    builds: index.builds,
    builders: summaries.size,
    shards: flushed.size,
    ports: ports.size,
    files,
    largestShard,
    duplicates,
  };
}

function toMapBuild(entry: LedgerEntry, target: (url: string) => string, intern: (text: string) => string): MapBuild {
  return {
    ...(entry.port === undefined ? {} : { port: intern(entry.port) }),
    ...(entry.platform === undefined ? {} : { platform: intern(entry.platform) }),
    ...(entry.result === undefined ? {} : { result: entry.result }),
    ...(entry.finishedAt === undefined ? {} : { finishedAt: entry.finishedAt }),
    url: target(entry.url),
    ...(entry.steps === undefined
      ? {}
      : { steps: entry.steps.map((s) => ({ name: intern(s.name), logs: s.logs.map((l) => ({ name: intern(l.name), url: target(l.url) })) })) }),
  };
}

function notePortBuild(ports: Map<string, PortState>, entry: LedgerEntry, builder: string, build: MapBuild, intern: (text: string) => string): void {
  const port = entry.port;
  if (port === undefined) return;
  let state = ports.get(port);
  if (state === undefined) {
    state = { latest: new Map(), recent: [] };
    ports.set(port, state);
  }
  const platform = build.platform ?? intern(platformOf(builder));
  const item: PortBuild = {
    builder,
    number: entry.number,
    platform,
    ...(build.result === undefined ? {} : { result: build.result }),
    ...(build.finishedAt === undefined ? {} : { finishedAt: build.finishedAt }),
    url: build.url,
  };
  const before = state.latest.get(platform);
  if (before === undefined || isNotOlder(item, before)) state.latest.set(platform, item);
  state.recent.push(item);
  if (state.recent.length > RECENT_PER_PORT) state.recent.shift();
}

/** Later ledger lines are newer, unless both builds say when they finished. */
function isNotOlder(item: PortBuild, than: PortBuild): boolean {
  if (item.finishedAt === undefined || than.finishedAt === undefined) return true;
  return Date.parse(item.finishedAt) >= Date.parse(than.finishedAt);
}

/** `ports-10.15_x86_64-builder` → `10.15_x86_64`; other names stand for themselves. */
function platformOf(builder: string): string {
  return /^ports-(.+)-(builder|watcher)$/.exec(builder)?.[1] ?? builder;
}

async function writePortBuckets(dir: string, ports: ReadonlyMap<string, PortState>): Promise<number> {
  if (ports.size === 0) return 0;
  const count = Math.ceil(ports.size / PORTS_PER_BUCKET);
  const buckets = Array.from({ length: count }, () => [] as [string, PortState][]);
  for (const item of ports) buckets[portBucket(item[0], count)]?.push(item);
  await mkdir(join(dir, 'map', '_ports'), { recursive: true });
  for (const [i, items] of buckets.entries()) {
    const bucket: PortBucket = {
      v: SITE_MAP_VERSION,
      ports: Object.fromEntries(
        items
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([name, state]) => [
            name,
            {
              latest: [...state.latest.values()].sort((a, b) => a.platform.localeCompare(b.platform)),
              recent: [...state.recent].reverse(),
            },
          ]),
      ),
    };
    await writeFile(join(dir, portBucketPath(i)), JSON.stringify(bucket));
  }
  return count;
}

async function readShardBack(path: string): Promise<Map<number, MapBuild>> {
  const shard = JSON.parse(await readFile(path, 'utf8')) as MapShard;
  return new Map(Object.entries(shard.builds).map(([n, b]) => [Number(n), b]));
}

/**
 * Absolute URLs are kept. A relative one names an archived copy: below site.logArchiveUrl when
 * configured, else below the site itself (its `/logs/…` folder).
 */
export function resolveTarget(url: string, base: string, logArchiveUrl: string | undefined): string {
  if (/^https?:\/\//i.test(url)) return url;
  const path = url.replace(/^\/+/, '');
  if (logArchiveUrl !== undefined) return new URL(path, logArchiveUrl.endsWith('/') ? logArchiveUrl : `${logArchiveUrl}/`).href;
  return `${base}${path}`;
}

/** `https://build.macports.org` → `/`; `https://macports.github.io/builds` → `/builds/`. */
export function basePathOf(baseUrl: string): string {
  const path = new URL(baseUrl).pathname;
  return path.endsWith('/') ? path : `${path}/`;
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
