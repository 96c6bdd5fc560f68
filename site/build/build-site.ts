import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { LedgerConsumed } from '../ledger/read-ledger.ts';
import { readLedgerBatches } from '../ledger/read-ledger.ts';
import { INDEX_PATH, shardPath, SITE_MAP_VERSION, type PackedShard, type SiteIndex } from '../lookup/site-map.ts';
import { PortHistory } from './port-history.ts';
import { packShard } from './pack-shard.ts';
import { unpackShard } from '../lookup/unpack-shard.ts';
import { JsonWindow } from './json-window.ts';
import { writeBuildJson } from './write-build-json.ts';
import { linkTree } from './link-tree.ts';
import { etaDigest, ledgerPrefixHash, MANIFEST_PATH, optionsDigest, readManifest, type ManifestState, type SiteManifest } from './site-manifest.ts';
import { compactShard, reopenShard, type BuilderState, type ShardBuffer } from './shard-buffer.ts';
import { basePathOf } from './target-url.ts';
import { writeIdBuckets } from './write-buckets.ts';
import { writePortFiles } from './write-port-files.ts';
import { pendingByPort } from './eta-snapshot.ts';
import { buildersIndexHtml, rangeHtml } from './builder-pages.ts';
import { bundleRouter } from './bundle-router.ts';
import { routerHtml } from './router-html.ts';
import { builderPages, builderSummaries, lastWatcherState } from './builder-summaries.ts';
import { JSON_WINDOW_DAYS, PROGRESS_EVERY, RECENT_PER_PORT, indexStamp, unchangedSummary, type BuildSiteOptions, type SiteSummary } from './site-build-options.ts';
import { SiteFold } from './site-fold.ts';
import { checkOutDir, swapIn } from './swap-in-site.ts';
import { largerShard } from './largest-shard.ts';
import { updateSite } from './update-site.ts';
import { writeNewFile } from './write-new-file.ts';

export type { BuildSiteOptions, SiteSummary } from './site-build-options.ts';
export { JSON_WINDOW_DAYS, PROGRESS_EVERY } from './site-build-options.ts';

/**
 * Writes the static site for a ledger. The ledger is streamed: memory holds one open shard per
 * builder and a few builds per port, not the builds. The site is written to a temporary folder
 * next to `outDir` and swapped in at the end, so a bad ledger line leaves the old site intact
 * (and a failed first build leaves no folder behind).
 */
export async function buildSite(options: BuildSiteOptions): Promise<SiteSummary> {
  const out = resolve(options.outDir);
  await checkOutDir(out);
  const optionsKey = await optionsDigest({ ...options, jsonWindowDays: options.jsonWindowDays ?? JSON_WINDOW_DAYS });
  const etaKey = etaDigest(options.eta);
  const before = await readManifest(out);
  // The site holds a prefix of this ledger, written by this portfarm with these options: only new lines need writing.
  const prefix = before?.options === optionsKey ? await ledgerPrefixHash(options.ledgerPath, before.ledger.bytes) : undefined;
  if (before !== undefined && prefix?.copy().digest('hex') === before.ledger.digest) {
    if ((await stat(options.ledgerPath)).size === before.ledger.bytes && before.eta === etaKey) return unchangedSummary(before);
    // New lines, or a new snapshot (or none any more): updated in place.
    const updated = await updateSite(out, before, prefix, options);
    if (updated !== undefined) return updated;
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
    const hash = createHash('sha256');
    const consumed: LedgerConsumed = { bytes: 0, lines: 0, hash };
    const { summary, state } = await writeSite(tmp, base, script, options, consumed);
    // Last: a folder with a manifest holds the whole site it describes.
    const manifest: SiteManifest = { v: 2, options: optionsKey, ...(etaKey === undefined ? {} : { eta: etaKey }), ledger: { bytes: consumed.bytes, lines: consumed.lines, digest: hash.digest('hex') }, summary, state };
    await writeFile(join(tmp, MANIFEST_PATH), JSON.stringify(manifest));
    await swapIn(tmp, out);
    return summary;
  } catch (caught) {
    await rm(createdParent ?? tmp, { recursive: true, force: true });
    throw caught;
  }
}

async function writeSite(dir: string, base: string, scriptPromise: Promise<string>, options: BuildSiteOptions, consumed: LedgerConsumed): Promise<{ summary: SiteSummary; state: ManifestState }> {
  await mkdir(join(dir, 'map'), { recursive: true });
  const ports = new PortHistory(RECENT_PER_PORT);
  const window = new JsonWindow(options.jsonWindowDays ?? JSON_WINDOW_DAYS);
  /** Every shard written, with its bytes: the largest is reported. */
  const flushed = new Map<string, number>();
  let files = 0;
  // Files are written as they are made, each with plain system calls (`writeNewFile`).
  const write = writeNewFile;

  const flush = async (state: BuilderState): Promise<void> => {
    const buffer = state.buffer;
    if (buffer === undefined) return;
    const path = shardPath(state.name, buffer.shard);
    const shard = compactShard(state, buffer);
    const text = JSON.stringify(packShard(shard));
    if (!flushed.has(path)) {
      await mkdir(join(dir, 'map', state.name), { recursive: true });
      await mkdir(join(dir, 'builders', state.name, 'range', String(buffer.shard)), { recursive: true });
      files += 2;
    }
    flushed.set(path, Buffer.byteLength(text));
    await write(join(dir, path), text);
    await write(join(dir, 'builders', state.name, 'range', String(buffer.shard), 'index.html'), rangeHtml(base, shard, options.baseUrl));
    state.buffer = undefined;
  };
  const fold: SiteFold = new SiteFold({
    base,
    baseUrl: options.baseUrl,
    logArchiveUrl: options.logArchiveUrl,
    ports,
    window,
    flush,
    // Ledgers are appended in order, so a shard comes back only for imports out of order.
    open: async (state, k): Promise<ShardBuffer> => {
      const path = shardPath(state.name, k);
      if (!flushed.has(path)) return { shard: k, builds: new Map(), stepSets: [], setIndex: new Map() };
      return reopenShard(state, unpackShard(JSON.parse(await readFile(join(dir, path), 'utf8')) as PackedShard), fold.intern);
    },
  });

  const reading = readLedgerBatches(options.ledgerPath, {
    onTornLine: options.onTornLine,
    onUnsafeUrl: options.onUnsafeUrl,
    consumed,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  let read = 0;
  for await (const batch of reading) {
    for (const { entry, line } of batch) {
      read += 1;
      if (options.onProgress !== undefined && read % PROGRESS_EVERY === 0) options.onProgress(read);
      await fold.note(entry, line);
    }
  }
  // Past the ledger, a signal still stops the build between its parts (the old site stays as it was).
  const stop = (): void => options.signal?.throwIfAborted();
  stop();
  for (const state of fold.builders.values()) await flush(state);
  const script = await scriptPromise;
  stop();

  const summaries = builderSummaries(fold.builders);
  const portFiles = await writePortFiles(dir, ports, options.eta === undefined ? undefined : pendingByPort(options.eta.snapshot));
  files += portFiles.files;
  stop();
  // The controller's ids are kept by counter, a few bytes each; any other id by hash.
  const hashed = fold.ids.hashed;
  files += await fold.ids.writeRuns(dir);
  const idBuckets = await writeIdBuckets(dir, hashed, undefined, undefined, write);
  files += idBuckets;
  stop();
  const index: SiteIndex = {
    v: SITE_MAP_VERSION,
    basePath: base,
    baseUrl: options.baseUrl,
    builds: [...summaries.values()].reduce((sum, s) => sum + s.count, 0),
    builders: Object.fromEntries(summaries),
    ports: portFiles.ports,
    idBuckets,
    ...indexStamp(options),
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
  const written = await writeBuildJson(dir, window.builders(), options.baseUrl, options.logArchiveDir === undefined ? undefined : resolve(options.logArchiveDir), write);
  files += written.json + written.filesLogs;
  for (const [name, summary] of summaries) {
    stop();
    const pages = builderPages(base, script, name, summary, fold.builders.get(name)?.latestBuild);
    for (const [path, text] of pages) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await write(join(dir, path), text);
    }
    files += pages.length;
  }
  let largestShard = { path: '', bytes: 0 };
  for (const [path, bytes] of flushed) largestShard = largerShard(largestShard, { path, bytes });
  const summary: SiteSummary = {
    builds: index.builds,
    builders: summaries.size,
    shards: flushed.size,
    ports: portFiles.ports,
    files,
    jsonFiles: written.json,
    filesLogs: written.filesLogs,
    largestShard,
    duplicates: fold.duplicates,
    ...(fold.firstDuplicate === undefined ? {} : { firstDuplicate: fold.firstDuplicate }),
  };
  return { summary, state: { lastWatcher: lastWatcherState(fold), window: window.state(), hashedIds: hashed.size, pendingPorts: portFiles.pendingPorts } };
}
