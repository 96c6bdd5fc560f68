import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import type { LedgerEntry } from '../ledger/ledger-entry.ts';
import { readLedger, type TornLine } from '../ledger/read-ledger.ts';
import { expandBuild } from '../lookup/expand-build.ts';
import { platformOf } from '../lookup/platform-of.ts';
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
  /** The first such line, for the warning. */
  readonly firstDuplicate?: { readonly line: number; readonly builder: string; readonly number: number };
}

export const PROGRESS_EVERY = 100_000;
/** Builds of a port on its page, most recent first. */
const RECENT_PER_PORT = 10;
/** About this many ports per `/map/_ports/<bucket>.json`. */
const PORTS_PER_BUCKET = 40;
const WRITES_IN_FLIGHT = 16;

interface BuilderState {
  readonly name: string;
  first: number;
  latest: number;
  count: number;
  readonly shards: Set<number>;
  buffer: { shard: number; builds: Map<number, Buffered> } | undefined;
  latestEntry: LedgerEntry | undefined;
}

/** A ledger line as read, or a build read back from a shard written earlier (URLs resolved). */
type Buffered = LedgerEntry | MapBuild;

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
  // esbuild runs while the ledger is read; the result is awaited only where the pages need it.
  const script = bundleRouter();
  script.catch(() => undefined);
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

async function writeSite(dir: string, base: string, scriptPromise: Promise<string>, options: BuildSiteOptions): Promise<SiteSummary> {
  await mkdir(join(dir, 'map'), { recursive: true });
  const builders = new Map<string, BuilderState>();
  const ports = new Map<string, PortState>();
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
    const shard = compactShard(state.name, buffer.shard, buffer.builds, target);
    const text = JSON.stringify(shard);
    const bytes = Buffer.byteLength(text);
    if (bytes > largestShard.bytes) largestShard = { path, bytes };
    if (!flushed.has(path)) {
      await mkdir(join(dir, 'map', state.name), { recursive: true });
      await mkdir(join(dir, 'builders', state.name, 'range', String(buffer.shard)), { recursive: true });
      files += 2;
      flushed.add(path);
    }
    await write(join(dir, path), text);
    await write(join(dir, 'builders', state.name, 'range', String(buffer.shard), 'index.html'), rangeHtml(base, shard));
    state.buffer = undefined;
  };

  let lines = 0;
  for await (const { entry, line } of readLedger(options.ledgerPath, { onTornLine: options.onTornLine, ...(options.signal === undefined ? {} : { signal: options.signal }) })) {
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
      state.buffer = { shard: k, builds: flushed.has(path) ? await readShardBack(join(dir, path)) : new Map<number, Buffered>() };
    }
    if (state.buffer.builds.has(entry.number)) {
      duplicates += 1;
      firstDuplicate ??= { line, builder: entry.builder, number: entry.number };
    } else state.count += 1;
    state.buffer.builds.set(entry.number, entry);
    state.shards.add(k);
    state.first = Math.min(state.first, entry.number);
    if (entry.number >= state.latest) {
      state.latest = entry.number;
      state.latestEntry = entry;
    }
    if (entry.port !== undefined) notePortBuild(ports, entry, state.name, intern);
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
    ...(firstDuplicate === undefined ? {} : { firstDuplicate }),
  };
}

function notePortBuild(ports: Map<string, PortState>, entry: LedgerEntry, builder: string, intern: (text: string) => string): void {
  const port = entry.port;
  if (port === undefined) return;
  let state = ports.get(port);
  if (state === undefined) {
    state = { latest: new Map(), recent: [] };
    ports.set(port, state);
  }
  const platform = intern(entry.platform ?? platformOf(builder));
  const item: PortBuild = {
    builder,
    number: entry.number,
    platform,
    ...(entry.result === undefined ? {} : { result: entry.result }),
    ...(entry.finishedAt === undefined ? {} : { finishedAt: entry.finishedAt }),
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

/**
 * The shard as written: ledger URLs resolved, then cut by their common prefix; platforms the
 * builder name says are left out.
 */
function compactShard(builder: string, k: number, builds: ReadonlyMap<number, Buffered>, target: (url: string) => string): MapShard {
  const implied = platformOf(builder);
  const numbers = [...builds.keys()].sort((a, b) => a - b);
  // Pass 1: every URL resolved, in order, and their common prefix. Pass 2 builds the objects,
  // so each build is allocated once (at a million builds the garbage collector is the cost).
  const urls: string[] = [];
  let prefix: string | undefined;
  for (const n of numbers) {
    const b = builds.get(n);
    if (b === undefined) continue;
    // Builds read back from a shard already have their URLs resolved; resolving twice would not be idempotent.
    const line = isLedgerLine(b);
    const add = (url: string): void => {
      const full = line ? target(url) : url;
      urls.push(full);
      if (prefix === undefined) prefix = full;
      else if (!full.startsWith(prefix)) {
        let i = 0;
        while (i < prefix.length && prefix.charCodeAt(i) === full.charCodeAt(i)) i += 1;
        prefix = prefix.slice(0, i);
      }
    };
    add(b.url);
    for (const st of b.steps ?? []) for (const l of st.logs) add(l.url);
  }
  const cut = prefix?.length ?? 0;
  let u = 0;
  const next = (): string => (urls[u++] ?? '').slice(cut);
  const out: Record<string, MapBuild> = {};
  for (const n of numbers) {
    const b = builds.get(n);
    if (b === undefined) continue;
    out[String(n)] = {
      ...(b.port === undefined ? {} : { port: b.port }),
      ...(b.platform === undefined || b.platform === implied ? {} : { platform: b.platform }),
      ...(b.result === undefined ? {} : { result: b.result }),
      ...(b.finishedAt === undefined ? {} : { finishedAt: b.finishedAt }),
      url: next(),
      ...(b.steps === undefined ? {} : { steps: b.steps.map((st) => ({ name: st.name, logs: st.logs.map((l) => ({ name: l.name, url: next() })) })) }),
    };
  }
  return { v: SITE_MAP_VERSION, builder, shard: k, ...(cut === 0 || prefix === undefined ? {} : { prefix }), builds: out };
}

function isLedgerLine(b: Buffered): b is LedgerEntry {
  return 'builder' in b;
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

async function readShardBack(path: string): Promise<Map<number, Buffered>> {
  const shard = JSON.parse(await readFile(path, 'utf8')) as MapShard;
  return new Map<number, Buffered>(Object.entries(shard.builds).map(([n, b]) => [Number(n), expandBuild(shard, b)]));
}

/**
 * Absolute URLs are kept. A relative one names an archived copy: below site.logArchiveUrl when
 * configured, else below the site itself (its `/logs/…` folder).
 */
export function targetResolver(base: string, logArchiveUrl: string | undefined): (url: string) => string {
  const archive = logArchiveUrl === undefined ? undefined : logArchiveUrl.endsWith('/') ? logArchiveUrl : `${logArchiveUrl}/`;
  return (url) => {
    if (/^https?:\/\//i.test(url)) return url;
    const path = url.replace(/^\/+/, '');
    if (archive === undefined) return `${base}${path}`;
    // Plain paths are joined as text; new URL() is for the rest (dot segments, escapes), and slow.
    return SIMPLE_PATH.test(path) && !/(^|\/)\.\.?(\/|$)/.test(path) ? archive + path : new URL(path, archive).href;
  };
}

const SIMPLE_PATH = /^[A-Za-z0-9._~/+-]*$/;

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
