import { existsSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import type { LedgerEntry } from '../ledger/ledger-entry.ts';
import { readLedgerBatches, type TornLine, type UnsafeUrlLine } from '../ledger/read-ledger.ts';
import { expandBuild } from '../lookup/expand-build.ts';
import { platformOf } from '../lookup/platform-of.ts';
import { portBucket } from '../lookup/port-bucket.ts';
import { buildIdOfArchivePage } from '../lookup/stable-log-url.ts';
import {
  idBucketPath,
  INDEX_PATH,
  type IdBucket,
  portBucketPath,
  shardOf,
  shardPath,
  SITE_MAP_VERSION,
  type BuilderSummary,
  type MapBuild,
  type MapShard,
  type MapLog,
  type MapStep,
  type StoredBuild,
  type PortBucket,
  type PortSummary,
  type SiteIndex,
} from '../lookup/site-map.ts';
import { PortHistory } from './port-history.ts';
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
  /**
   * site.logArchiveDir: the controller's copies of job logs. Without a logArchiveUrl they are
   * served by the site itself, so they are hard-linked (or copied) into its `/logs/`.
   */
  readonly logArchiveDir?: string | undefined;
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
/** About this many build ids per `/map/_ids/<bucket>.json`. */
const IDS_PER_BUCKET = 2000;

interface BuilderState {
  readonly name: string;
  /** The platform the builder's name says: shards leave it out. */
  readonly implied: string;
  first: number;
  latest: number;
  count: number;
  readonly shards: Set<number>;
  buffer: ShardBuffer | undefined;
  latestBuild: Held | undefined;
}

/** The open shard of a builder: its builds so far and the step lists they share. */
interface ShardBuffer {
  readonly shard: number;
  readonly builds: Map<number, Held>;
  readonly stepSets: MapStep[][];
  readonly setIndex: Map<string, number>;
}

/**
 * A build as the generator holds it until its shard is written, and a port page as long as it
 * is recent: a few fields, URLs resolved, steps as an index into the shard's step sets. Parsed
 * ledger lines are dropped at once, so the heap holds a handful of objects per open build,
 * not the two dozen of a parsed line (at a million builds the garbage collector is the cost).
 */
interface Held {
  readonly builder: string;
  readonly number: number;
  readonly port: string | undefined;
  readonly platform: string;
  readonly result: LedgerEntry['result'];
  readonly finishedAt: string | undefined;
  readonly url: string;
  /** An index into the shard's `stepSets`, or steps whose log URLs do not extend the build URL. */
  readonly steps: number | readonly MapStep[] | undefined;
}


/**
 * Writes the static site for a ledger. The ledger is streamed: memory holds one open shard per
 * builder and a few builds per port, not the builds. The site is written to a temporary folder
 * next to `outDir` and swapped in at the end, so a bad ledger line leaves the old site intact
 * (and a failed first build leaves no folder behind).
 */
export async function buildSite(options: BuildSiteOptions): Promise<SiteSummary> {
  const out = resolve(options.outDir);
  await checkOutDir(out);
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
          const written = JSON.parse(await readFile(join(dir, path), 'utf8')) as MapShard;
          for (const [n, b] of Object.entries(written.builds)) buffer.builds.set(Number(n), hold(state, buffer, Number(n), expandBuild(written, b), asIs, intern));
        }
      }
      const held = hold(state, state.buffer, entry.number, entry, target, intern);
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
  files += await writePortBuckets(dir, ports);
  const idBuckets = await writeIdBuckets(dir, ids);
  files += idBuckets;
  const index: SiteIndex = {
    v: SITE_MAP_VERSION,
    basePath: base,
    baseUrl: options.baseUrl,
    builds: [...summaries.values()].reduce((sum, s) => sum + s.count, 0),
    builders: Object.fromEntries(summaries),
    portBuckets: ports.size === 0 ? 0 : Math.ceil(ports.size / PORTS_PER_BUCKET),
    ports: ports.size,
    idBuckets,
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
    ports: ports.size,
    files,
    largestShard,
    duplicates,
    ...(firstDuplicate === undefined ? {} : { firstDuplicate }),
  };
}

/**
 * What the generator keeps of a build: URLs resolved (`resolve` is identity for builds read
 * back from a written shard, whose URLs are resolved already), steps whose log URLs all extend
 * the build's URL stored once per shard, relative to it.
 */
function hold(state: BuilderState, buffer: ShardBuffer, number: number, b: LedgerEntry | MapBuild, resolve: (url: string) => string, intern: (text: string) => string): Held {
  const url = resolve(b.url);
  let steps: Held['steps'];
  if (b.steps !== undefined) {
    let key = '';
    let relative = true;
    const full: MapStep[] = [];
    for (const st of b.steps) {
      key += `\u0001${st.name}`;
      const logs: MapLog[] = [];
      for (const l of st.logs) {
        const logUrl = resolve(l.url);
        if (relative && logUrl.length > url.length && logUrl.startsWith(url)) key += `\u0000${l.name}\u0000${logUrl.slice(url.length)}`;
        else relative = false;
        logs.push({ name: l.name, url: logUrl });
      }
      full.push({ name: st.name, logs });
    }
    if (relative) {
      let set = buffer.setIndex.get(key);
      if (set === undefined) {
        set = buffer.stepSets.length;
        buffer.setIndex.set(key, set);
        buffer.stepSets.push(full.map((st) => ({ name: st.name, logs: st.logs.map((l) => ({ name: l.name, url: l.url.slice(url.length) })) })));
      }
      steps = set;
    } else steps = full;
  }
  return {
    builder: state.name,
    number,
    port: b.port,
    platform: b.platform === undefined ? state.implied : intern(b.platform),
    result: b.result,
    finishedAt: b.finishedAt,
    url,
    steps,
  };
}

/**
 * The shard as written: step lists that extend their build's URL once in `stepSets`, the other
 * URLs cut by their common prefix, platforms the builder name says left out.
 */
function compactShard(state: BuilderState, buffer: ShardBuffer): MapShard {
  const numbers = [...buffer.builds.keys()].sort((a, b) => a - b);
  let prefix: string | undefined;
  const common = (full: string): void => {
    if (prefix === undefined) prefix = full;
    else if (!full.startsWith(prefix)) {
      let i = 0;
      while (i < prefix.length && prefix.charCodeAt(i) === full.charCodeAt(i)) i += 1;
      prefix = prefix.slice(0, i);
    }
  };
  for (const b of buffer.builds.values()) {
    common(b.url);
    if (typeof b.steps === 'object') for (const st of b.steps) for (const l of st.logs) common(l.url);
  }
  const cut = prefix?.length ?? 0;
  const out: Record<string, StoredBuild> = {};
  for (const n of numbers) {
    const b = buffer.builds.get(n);
    if (b === undefined) continue;
    const steps = typeof b.steps === 'object' ? b.steps.map((st) => ({ name: st.name, logs: st.logs.map((l) => ({ name: l.name, url: l.url.slice(cut) })) })) : b.steps;
    out[String(n)] = {
      ...(b.port === undefined ? {} : { port: b.port }),
      ...(b.platform === state.implied ? {} : { platform: b.platform }),
      ...(b.result === undefined ? {} : { result: b.result }),
      ...(b.finishedAt === undefined ? {} : { finishedAt: b.finishedAt }),
      url: b.url.slice(cut),
      ...(steps === undefined ? {} : { steps }),
    };
  }
  return {
    v: SITE_MAP_VERSION,
    builder: state.name,
    shard: buffer.shard,
    ...(cut === 0 || prefix === undefined ? {} : { prefix }),
    ...(buffer.stepSets.length === 0 ? {} : { stepSets: buffer.stepSets }),
    builds: out,
  };
}

async function writeIdBuckets(dir: string, ids: ReadonlyMap<string, readonly [string, number]>): Promise<number> {
  if (ids.size === 0) return 0;
  const count = Math.ceil(ids.size / IDS_PER_BUCKET);
  const buckets: Record<string, readonly [string, number]>[] = Array.from({ length: count }, () => ({}));
  for (const [id, at] of ids) {
    const bucket = buckets[portBucket(id, count)];
    if (bucket !== undefined) bucket[id] = at;
  }
  await mkdir(join(dir, 'map', '_ids'), { recursive: true });
  for (const [i, bucket] of buckets.entries()) {
    const file: IdBucket = { v: SITE_MAP_VERSION, ids: bucket };
    await writeFile(join(dir, idBucketPath(i)), JSON.stringify(file));
  }
  return count;
}

async function writePortBuckets(dir: string, ports: PortHistory): Promise<number> {
  if (ports.size === 0) return 0;
  const count = Math.ceil(ports.size / PORTS_PER_BUCKET);
  const buckets = Array.from({ length: count }, () => [] as string[]);
  for (const port of ports.ports()) buckets[portBucket(port, count)]?.push(port);
  await mkdir(join(dir, 'map', '_ports'), { recursive: true });
  for (const [i, names] of buckets.entries()) {
    const summaries: Record<string, PortSummary> = {};
    for (const name of names.sort((a, b) => a.localeCompare(b))) {
      const summary = ports.summary(name);
      if (summary !== undefined) summaries[name] = summary;
    }
    const bucket: PortBucket = { v: SITE_MAP_VERSION, ports: summaries };
    await writeFile(join(dir, portBucketPath(i)), JSON.stringify(bucket));
  }
  return count;
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

/** Hard links (copies across file systems) of every file below `from`; a missing `from` is an empty archive. */
async function linkTree(from: string, to: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw caught;
  }
  await mkdir(to, { recursive: true });
  for (const entry of entries) {
    // Temp files of a write in progress (`.name.tmp`) are not logs yet.
    if (entry.name.startsWith('.')) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isFile()) await link(source, target).catch(async (caught: unknown) => {
      if ((caught as NodeJS.ErrnoException).code !== 'EXDEV' && (caught as NodeJS.ErrnoException).code !== 'EPERM') throw caught;
      await copyFile(source, target);
    });
  }
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
