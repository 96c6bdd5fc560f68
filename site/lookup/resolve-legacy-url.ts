import { explainUnsafeTarget } from '../ledger/safe-target-url.ts';
import { buildJson, type BuildJson } from './build-json.ts';
import { expandBuild } from './expand-build.ts';
import { parseLegacyPath, type LegacyRequest } from './parse-legacy-path.ts';
import { ownEntry } from './own-entry.ts';
import { portBucket } from './port-bucket.ts';
import {
  idBucketPath,
  INDEX_PATH,
  type IdBucket,
  portFilePath,
  shardOf,
  shardPath,
  SITE_MAP_VERSION,
  type MapBuild,
  type MapShard,
  type PackedShard,
  type PortFile,
  type PortSummary,
  type SiteIndex,
} from './site-map.ts';
import { suggestBuilders } from './suggest-builders.ts';
import { describePending, type PendingView } from './describe-pending.ts';
import { counterId, findInRun, idRunPath, IDS_PER_RUN, type IdRun } from './id-runs.ts';
import { unpackShard } from './unpack-shard.ts';

/**
 * Reads one JSON file of the site by its path below the base path (`map/_index.json`) and
 * resolves to undefined when it does not exist. The browser passes `fetch`, `site resolve`
 * passes a file reader: the lookup itself does no I/O of its own, so both run this same code.
 */
export type ReadSiteJson = (sitePath: string) => Promise<unknown>;

export interface NearBuild {
  readonly builder: string;
  readonly number: number;
  readonly port?: string;
  readonly result?: string;
  /** The build's address on this site (its legacy shape). */
  readonly path: string;
}

export type Resolution =
  | { readonly kind: 'redirect'; readonly location: string; readonly note?: string }
  | { readonly kind: 'json'; readonly body: BuildJson }
  | { readonly kind: 'home'; readonly index: SiteIndex | undefined }
  | { readonly kind: 'port'; readonly port: string; readonly summary: PortSummary; readonly pending: PendingView }
  | {
      readonly kind: 'unknown';
      /** The path that was asked for, as the reader typed it (decoded). */
      readonly asked: string;
      readonly reason: string;
      readonly nearest: readonly NearBuild[];
      readonly builders: readonly string[];
      readonly port?: string;
    };

/**
 * Where a browser that opens `address` on the site ends up: the archived log or build page of a
 * legacy build address (query string and `#fragment` kept), the build's JSON, a port page, or
 * an explanation with the nearest builds when the site does not have what was asked.
 */
export async function resolveLegacyUrl(address: string, readJson: ReadSiteJson, basePath: string): Promise<Resolution> {
  const url = new URL(address, 'http://site.invalid/');
  let asked = url.pathname;
  try {
    asked = decodeURI(url.pathname);
  } catch {
    // Keep the raw path: the parser below reports the bad escape.
  }
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  const lowerPath = url.pathname.toLowerCase();
  if (!lowerPath.startsWith(base.toLowerCase()) && `${lowerPath}/` !== base.toLowerCase()) {
    return unknown(asked, `it is outside the site, which is served under ${base}`);
  }
  const parsed = parseLegacyPath(url.pathname.slice(base.length - 1));
  const keep = (target: string): string => withQueryAndFragment(target, url.search, url.hash);
  let request: Exclude<LegacyRequest, { kind: 'build-id' }>;
  if (parsed.kind === 'build-id') {
    // The action's link, printed before the build had a number: the id map gives builder and number.
    const at = await findBuildId(parsed.buildId, readJson);
    if (at === undefined) {
      return unknown(asked, `no build with id ${parsed.buildId} is on this site yet (a build appears once it has finished and the site has been built again)`);
    }
    const [builder, number] = at;
    request =
      parsed.step === undefined ? { kind: 'build', builder, number }
      : parsed.log === undefined ? { kind: 'step', builder, number, step: parsed.step }
      : { kind: 'log', builder, number, step: parsed.step, log: parsed.log, text: false };
  } else request = parsed;

  switch (request.kind) {
    case 'home':
      return { kind: 'home', index: await readIndex(readJson) };
    case 'builders':
      return { kind: 'redirect', location: keep(`${base}builders/`) };
    case 'not-legacy':
      return unknown(asked, request.reason);
    case 'port':
      return resolvePort(request.port, readJson, base, keep, asked);
    case 'builder': {
      const index = await readIndex(readJson);
      if (ownEntry(index?.builders, request.builder) !== undefined) return { kind: 'redirect', location: keep(`${base}builders/${request.builder}/`) };
      return unknownBuilder(asked, request.builder, index);
    }
    case 'build':
    case 'step':
    case 'log':
    case 'json-build': {
      const found = await findBuild(request.builder, request.number, readJson, base, asked);
      if (found.kind === 'unknown') return found;
      const { number, build } = found;
      if (request.kind === 'json-build') {
        // Absolute URLs in the JSON are on the site's published address, which the index records.
        const siteUrl = (await readIndex(readJson))?.baseUrl ?? new URL(base, 'http://site.invalid/').href;
        return { kind: 'json', body: buildJson(request.builder, number, build, siteUrl) };
      }
      // The ledger refuses such URLs and the build skips them; a map written before that is not trusted either.
      const offSite = [build.url, ...(build.steps ?? []).flatMap((s) => s.logs.map((l) => l.url))].find((target) => explainUnsafeTarget(target) !== null);
      if (offSite !== undefined) return unknown(asked, `build ${number} of ${request.builder} records an address that could lead off this site (${JSON.stringify(offSite)}); it is not followed`);
      if (request.kind === 'build') return { kind: 'redirect', location: keep(build.url) };
      const step = build.steps?.find((s) => s.name.toLowerCase() === request.step.toLowerCase());
      const wantedLog = request.kind === 'log' ? request.log : undefined;
      const log = wantedLog === undefined ? step?.logs[0] : step?.logs.find((l) => l.name.toLowerCase() === wantedLog.toLowerCase());
      if (log !== undefined) return { kind: 'redirect', location: keep(log.url) };
      const what = step === undefined ? `step "${request.step}"` : `log "${wantedLog ?? ''}" in step "${step.name}"`;
      return {
        kind: 'redirect',
        location: keep(build.url),
        note: `build ${number} of ${request.builder} has no ${what}; going to the build page`,
      };
    }
  }
}

type Found = { readonly kind: 'found'; readonly number: number; readonly build: MapBuild } | Extract<Resolution, { kind: 'unknown' }>;

async function findBuild(builder: string, asked: number, readJson: ReadSiteJson, base: string, askedPath: string): Promise<Found> {
  let number = asked;
  let index: SiteIndex | undefined;
  if (asked < 0) {
    index = await readIndex(readJson);
    const summary = ownEntry(index?.builders, builder);
    if (summary === undefined) return unknownBuilder(askedPath, builder, index);
    number = summary.latest + 1 + asked;
    if (number < summary.first) {
      return unknown(askedPath, `${builder} has ${summary.count} builds; build ${asked} counts back past the first one (${summary.first})`, {
        nearest: [near(builder, summary.first, undefined, base)],
      });
    }
  }
  const shard = await readShard(readJson, builder, shardOf(number));
  const build = ownEntry(shard?.builds, String(number));
  if (shard !== undefined && build !== undefined) return { kind: 'found', number, build: expandBuild(shard, build) };

  index ??= await readIndex(readJson);
  const summary = ownEntry(index?.builders, builder);
  if (summary === undefined) return unknownBuilder(askedPath, builder, index);
  // The nearest builds come from the shard that would hold the number, or the closest one that exists.
  let nearShard = shard;
  if (nearShard === undefined && summary.shards.length > 0) {
    const wanted = shardOf(number);
    const closest = summary.shards.reduce((a, b) => (Math.abs(b - wanted) < Math.abs(a - wanted) ? b : a));
    nearShard = await readShard(readJson, builder, closest);
  }
  const nearest = nearestBuilds(nearShard, number, base);
  return unknown(
    askedPath,
    `${builder} has no build ${number} on this site (it has ${summary.count} builds, numbered ${summary.first} to ${summary.latest})`,
    { nearest },
  );
}

function nearestBuilds(shard: MapShard | undefined, number: number, base: string): NearBuild[] {
  if (shard === undefined) return [];
  return Object.keys(shard.builds)
    .map(Number)
    .sort((a, b) => Math.abs(a - number) - Math.abs(b - number) || a - b)
    .slice(0, 5)
    .sort((a, b) => a - b)
    .map((n) => near(shard.builder, n, ownEntry(shard.builds, String(n)), base));
}

function near(builder: string, number: number, build: Pick<MapBuild, 'port' | 'result'> | undefined, base: string): NearBuild {
  return {
    builder,
    number,
    ...(build?.port === undefined ? {} : { port: build.port }),
    ...(build?.result === undefined ? {} : { result: build.result }),
    path: `${base}builders/${builder}/builds/${number}`,
  };
}

async function resolvePort(
  port: string,
  readJson: ReadSiteJson,
  base: string,
  keep: (target: string) => string,
  asked: string,
): Promise<Resolution> {
  const index = await readIndex(readJson);
  if (index === undefined || index.ports === 0) return unknown(asked, `no builds of port ${port} are recorded on this site`, { port });
  const file = await readJson(portFilePath(port));
  const ports = isVersioned(file) ? (file as PortFile).ports : {};
  const summary = ownEntry(ports, port);
  if (summary !== undefined) return { kind: 'port', port, summary, pending: describePending(port, summary, index.eta, index.builtAt) };
  // Port names are case-sensitive in MacPorts but readers type them in any case.
  const other = Object.keys(ports).find((name) => name.toLowerCase() === port.toLowerCase());
  if (other !== undefined) return { kind: 'redirect', location: keep(`${base}ports/${encodeURIComponent(other)}/`) };
  return unknown(asked, `no builds of port ${port} are recorded on this site`, { port });
}

function unknownBuilder(asked: string, builder: string, index: SiteIndex | undefined): Extract<Resolution, { kind: 'unknown' }> {
  const known = Object.keys(index?.builders ?? {});
  const suggested = suggestBuilders(builder, known);
  return unknown(asked, `there is no builder ${builder} on this site`, { builders: suggested.length > 0 ? suggested : known });
}

function unknown(
  asked: string,
  reason: string,
  extra: { nearest?: readonly NearBuild[]; builders?: readonly string[]; port?: string } = {},
): Extract<Resolution, { kind: 'unknown' }> {
  return {
    kind: 'unknown',
    asked,
    reason,
    nearest: extra.nearest ?? [],
    builders: extra.builders ?? [],
    ...(extra.port === undefined ? {} : { port: extra.port }),
  };
}

/** The target plus the reader's query string (merged after the target's own) and fragment. */
export function withQueryAndFragment(target: string, search: string, hash: string): string {
  const hashAt = target.indexOf('#');
  const withoutHash = hashAt === -1 ? target : target.slice(0, hashAt);
  const ownHash = hashAt === -1 ? '' : target.slice(hashAt);
  const query = search === '' || search === '?' ? '' : (withoutHash.includes('?') ? '&' : '?') + search.slice(1);
  return `${withoutHash}${query}${hash === '' || hash === '#' ? ownHash : hash}`;
}

async function findBuildId(buildId: string, readJson: ReadSiteJson): Promise<readonly [string, number] | undefined> {
  const counted = counterId(buildId);
  if (counted !== undefined) {
    const run = await readJson(idRunPath(counted.prefix, Math.floor(counted.counter / IDS_PER_RUN)));
    return isVersioned(run) ? findInRun(run as IdRun, counted.counter) : undefined;
  }
  const index = await readIndex(readJson);
  if (index === undefined || index.idBuckets === 0) return undefined;
  const bucket = await readJson(idBucketPath(portBucket(buildId, index.idBuckets)));
  if (!isVersioned(bucket)) return undefined;
  const at = ownEntry((bucket as IdBucket).ids, buildId);
  const builder = at === undefined ? undefined : (bucket as IdBucket).builders[at[0]];
  return at === undefined || builder === undefined ? undefined : [builder, at[1]];
}

async function readIndex(readJson: ReadSiteJson): Promise<SiteIndex | undefined> {
  const index = await readJson(INDEX_PATH);
  return isVersioned(index) ? (index as SiteIndex) : undefined;
}

async function readShard(readJson: ReadSiteJson, builder: string, shard: number): Promise<MapShard | undefined> {
  const data = await readJson(shardPath(builder, shard));
  return isVersioned(data) ? unpackShard(data as PackedShard) : undefined;
}

function isVersioned(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { v?: unknown }).v === SITE_MAP_VERSION;
}
