import type { Hash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { dirname, join, resolve } from 'node:path';
import { readLedgerBatches, type LedgerConsumed } from '../ledger/read-ledger.ts';
import { platformOf } from '../lookup/platform-of.ts';
import { INDEX_PATH, shardPath, SITE_MAP_VERSION, type MapWatcher, type PackedShard, type SiteIndex } from '../lookup/site-map.ts';
import { unpackShard } from '../lookup/unpack-shard.ts';
import { builderPages, builderSummaries, lastWatcherState } from './builder-summaries.ts';
import { JSON_WINDOW_DAYS, PROGRESS_EVERY, RECENT_PER_PORT, indexStamp, unchangedSummary, type BuildSiteOptions, type SiteSummary } from './site-build-options.ts';
import { buildersIndexHtml, rangeHtml } from './builder-pages.ts';
import { bundleRouter } from './bundle-router.ts';
import { JsonWindow, type WindowBuild } from './json-window.ts';
import { largerShard, type ShardSize } from './largest-shard.ts';
import { linkTree } from './link-tree.ts';
import { packShard } from './pack-shard.ts';
import { compactShard, reopenShard, type BuilderState, type ShardBuffer } from './shard-buffer.ts';
import { SiteFold } from './site-fold.ts';
import { etaDigest, MANIFEST_PATH, type SiteManifest } from './site-manifest.ts';
import { pendingByPort } from './eta-snapshot.ts';
import { SiteWriter } from './site-writer.ts';
import { basePathOf } from './target-url.ts';
import { updateIds } from './update-ids.ts';
import { updatePortFiles, type PortNote } from './update-port-files.ts';
import { filesLogPath, writeBuildJson } from './write-build-json.ts';
import { writeFileDurably } from '../../controller/io/write-file-durably.ts';

/**
 * Updates a written site in place for the lines appended to its ledger since (`before` is its
 * manifest; `prefix` the hash of the ledger's bytes it was built from, to go on with). Only the
 * files the new lines touch are written: their builders' shards and range pages, builder pages,
 * id runs, the files of their ports, the JSON window's new files and `-1`, the index; the window's builds
 * that left it are removed. The result is the site a whole build of the ledger writes, byte for
 * byte (test/site/update-site.test.ts).
 *
 * Returns undefined, having written nothing, when the new lines are not appends in number order
 * (a builder's number that is not above its latest: a repeat or an import out of order): the
 * caller then builds the whole site. The manifest is removed before the first write and written
 * again last, so a site cut short (crash, kill -9) has none and the next `site build` builds it
 * whole; meanwhile each of its files is either the old or the new one.
 *
 * The ETA snapshot is new input like the new lines: with one now or at the last build, the port
 * files with pending builds then or now are written again with the snapshot's (`updatePortFiles`),
 * and the index with its `eta` and `builtAt`; a new snapshot on a ledger that did not grow writes
 * just those.
 */
export async function updateSite(out: string, before: SiteManifest, prefix: Hash, options: BuildSiteOptions): Promise<SiteSummary | undefined> {
  const base = basePathOf(options.baseUrl);
  const index = JSON.parse(await readFile(join(out, INDEX_PATH), 'utf8')) as SiteIndex;
  const builders = new Map<string, BuilderState>();
  for (const [name, s] of Object.entries(index.builders)) {
    builders.set(name, { name, implied: platformOf(name), first: s.first, latest: s.latest, count: s.count, shards: new Set(s.shards), buffer: undefined, latestBuild: undefined });
  }
  const window = new JsonWindow(options.jsonWindowDays ?? JSON_WINDOW_DAYS);
  for (const [name, w] of Object.entries(before.state.window)) window.restore(name, w.newest, w.builds);
  const lastWatcher = new Map<string, MapWatcher>(Object.entries(before.state.lastWatcher).map(([platform, [builder, number]]) => [platform, { builder, number }]));
  const notes: PortNote[] = [];
  /** Shards to write once every new line is known to be an append: path → text of the shard and of its range page. */
  const shards = new Map<string, { readonly text: string; readonly range: string; readonly builder: string; readonly shard: number }>();
  const flush = async (state: BuilderState): Promise<void> => {
    const buffer = state.buffer;
    if (buffer === undefined) return;
    const shard = compactShard(state, buffer);
    shards.set(shardPath(state.name, buffer.shard), { text: JSON.stringify(packShard(shard)), range: rangeHtml(base, shard, options.baseUrl), builder: state.name, shard: buffer.shard });
    state.buffer = undefined;
    await Promise.resolve();
  };
  const fold: SiteFold = new SiteFold({
    base,
    baseUrl: options.baseUrl,
    logArchiveUrl: options.logArchiveUrl,
    ports: { note: (port, build) => notes.push({ port, build }) },
    window,
    builders,
    lastWatcher,
    open: async (state, k): Promise<ShardBuffer> => {
      if (!state.shards.has(k)) return { shard: k, builds: new Map(), stepSets: [], setIndex: new Map() };
      const written = unpackShard(JSON.parse(await readFile(join(out, shardPath(state.name, k)), 'utf8')) as PackedShard);
      return reopenShard(state, written, fold.intern);
    },
    flush,
  });

  // Read the new lines; nothing is written until all of them are known to be appends.
  const consumed: LedgerConsumed = { bytes: before.ledger.bytes, lines: before.ledger.lines, hash: prefix };
  const touched = new Set<string>();
  let read = 0;
  const reading = readLedgerBatches(options.ledgerPath, {
    onTornLine: options.onTornLine,
    onUnsafeUrl: options.onUnsafeUrl,
    from: { byte: before.ledger.bytes, line: before.ledger.lines + 1 },
    consumed,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  for await (const batch of reading) {
    for (const { entry, line } of batch) {
      const known = fold.builders.get(entry.builder);
      if (known !== undefined && known.count > 0 && entry.number <= known.latest) return undefined;
      read += 1;
      if (options.onProgress !== undefined && read % PROGRESS_EVERY === 0) options.onProgress(read);
      touched.add(entry.builder);
      await fold.note(entry, line);
    }
  }
  const etaKey = etaDigest(options.eta);
  // Only a torn last line (or blank lines) since, and the same snapshot: nothing to write.
  if (consumed.bytes === before.ledger.bytes && etaKey === before.eta) return unchangedSummary(before);
  for (const name of touched) {
    const state = fold.builders.get(name);
    if (state !== undefined) await flush(state);
  }
  const script = bundleRouter();
  script.catch(() => undefined);

  // From here on the site is changed: without its manifest, a site cut short is built whole next time.
  await unlink(join(out, MANIFEST_PATH));
  const writer = new SiteWriter({ signal: options.signal, onWritten: options.onWritten });
  const write = writer.write;
  let files = before.summary.files;
  let shardCount = before.summary.shards;
  let largest: ShardSize = before.summary.largestShard;
  let largestShrank = false;
  const had = (name: string): SiteIndex['builders'][string] | undefined => (Object.hasOwn(index.builders, name) ? index.builders[name] : undefined);
  for (const [path, { text, range, builder, shard }] of shards) {
    const bytes = Buffer.byteLength(text);
    if (!(had(builder)?.shards.includes(shard) ?? false)) {
      files += 2;
      shardCount += 1;
    }
    if (path === largest.path && bytes < largest.bytes) largestShrank = true;
    else largest = largerShard(largest, { path, bytes });
    await write(join(out, path), text);
    await write(join(out, 'builders', builder, 'range', String(shard), 'index.html'), range);
  }
  const summaries = builderSummaries(fold.builders);

  const ids = await updateIds(out, { idBuckets: index.idBuckets, hashedIds: before.state.hashedIds }, fold.ids, write);
  files += ids.newRuns + ids.idBuckets - index.idBuckets;

  // The JSON window: the new builds still in it, each builder's -1, and the files of builds that left it.
  const archiveDir = options.logArchiveDir === undefined ? undefined : resolve(options.logArchiveDir);
  const fresh: [string, WindowBuild[]][] = [];
  const leaving: [string, number][] = [];
  for (const name of touched) {
    const slots = window.slots(name);
    fresh.push([name, slots.flatMap((slot) => (slot.build === undefined ? [] : [slot.build]))]);
    const kept = new Set(slots.map((slot) => slot.number));
    const was = Object.hasOwn(before.state.window, name) ? before.state.window[name]?.builds : undefined;
    for (const [number] of was ?? []) if (!kept.has(number)) leaving.push([name, number]);
  }
  const json = await writeBuildJson(out, fresh, options.baseUrl, archiveDir, write);
  const knownBuilders = fresh.filter(([name]) => Object.hasOwn(before.state.window, name)).length;
  // Their -1 was there already.
  let jsonFiles = before.summary.jsonFiles + json.json - knownBuilders;
  let filesLogs = before.summary.filesLogs + json.filesLogs;

  const withEta = options.eta !== undefined || before.eta !== undefined;
  const pending = withEta ? (options.eta === undefined ? new Map() : pendingByPort(options.eta.snapshot)) : undefined;
  const ports = await updatePortFiles(out, { ports: index.ports, pendingPorts: before.state.pendingPorts }, notes, RECENT_PER_PORT, write, pending);
  files += ports.created - ports.removed;

  const resolved = await script;
  for (const name of touched) {
    const summary = summaries.get(name);
    if (summary === undefined) continue;
    const pages = builderPages(base, resolved, name, summary, fold.builders.get(name)?.latestBuild);
    if (had(name) === undefined) files += pages.length;
    for (const [path, text] of pages) await write(join(out, path), text);
  }
  await write(join(out, 'builders', 'index.html'), buildersIndexHtml(base, summaries));
  const builds = [...summaries.values()].reduce((sum, s) => sum + s.count, 0);
  const nextIndex: SiteIndex = {
    v: SITE_MAP_VERSION,
    basePath: base,
    baseUrl: options.baseUrl,
    builds,
    builders: Object.fromEntries(summaries),
    ports: ports.ports,
    idBuckets: ids.idBuckets,
    ...indexStamp(options),
  };
  await writer.settle();
  if (largestShrank) largest = await largestOf(out, summaries);
  // The index last of the files a reader looks things up in: it names builds whose shards are now in place.
  await write(join(out, INDEX_PATH), JSON.stringify(nextIndex));
  await writer.settle();
  let removed = 0;
  let visited = 0;
  for (const [name, number] of leaving) {
    options.signal?.throwIfAborted();
    if (removeFile(join(out, 'json', 'builders', name, 'builds', String(number)))) {
      jsonFiles -= 1;
      removed += 1;
    }
    visited += 1;
    if (visited % 256 === 0) await setImmediate();
    // A site without installed-files lists has none to remove (an attempt is a failed unlink each).
    if (filesLogs === 0) continue;
    const filesLog = filesLogPath(out, name, number);
    if (removeFile(filesLog)) {
      filesLogs -= 1;
      removed += 1;
      await removeEmptyFolders(dirname(filesLog), join(out, 'builders', name, 'builds'));
    }
  }
  if (options.logArchiveDir !== undefined && options.logArchiveUrl === undefined) await linkTree(resolve(options.logArchiveDir), join(out, 'logs'), { keepExisting: true });
  files += jsonFiles - before.summary.jsonFiles + (filesLogs - before.summary.filesLogs);
  const summary: SiteSummary = {
    builds,
    builders: summaries.size,
    shards: shardCount,
    ports: ports.ports,
    files,
    jsonFiles,
    filesLogs,
    largestShard: largest,
    duplicates: before.summary.duplicates,
    ...(before.summary.firstDuplicate === undefined ? {} : { firstDuplicate: before.summary.firstDuplicate }),
  };
  await writer.finish(out);
  const manifest: SiteManifest = {
    v: 2,
    options: before.options,
    ...(etaKey === undefined ? {} : { eta: etaKey }),
    ledger: { bytes: consumed.bytes, lines: consumed.lines, digest: prefix.digest('hex') },
    summary,
    state: { lastWatcher: lastWatcherState(fold), window: window.state(), hashedIds: ids.hashedIds, pendingPorts: ports.pendingPorts },
  };
  await writeFileDurably(join(out, MANIFEST_PATH), JSON.stringify(manifest));
  return { ...summary, updated: { written: writer.written + 1, removed } };
}

/** Removes a file; false when there was none. */
function removeFile(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw caught;
  }
}

/** Removes `from` and the folders above it while they are empty, up to (not including) `upTo`. */
async function removeEmptyFolders(from: string, upTo: string): Promise<void> {
  for (let folder = from; folder.startsWith(`${upTo}/`); folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch (caught) {
      if ((caught as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (caught as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw caught;
    }
  }
}

/** The largest shard of the site, from the sizes of its files: when the largest one got smaller. */
async function largestOf(out: string, summaries: ReadonlyMap<string, { readonly shards: readonly number[] }>): Promise<ShardSize> {
  let largest: ShardSize = { path: '', bytes: 0 };
  for (const [name, summary] of summaries) {
    for (const k of summary.shards) {
      const path = shardPath(name, k);
      largest = largerShard(largest, { path, bytes: (await stat(join(out, path))).size });
    }
  }
  return largest;
}
