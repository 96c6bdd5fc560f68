/**
 * The JSON files `portfarm site build` writes under `/map/` and the router page reads. One
 * definition for the generator (Node) and the lookup (Node and browser): a change here is a
 * change of the site format, so `v` goes up with it.
 */
export const SITE_MAP_VERSION = 5;

/** Builds per map shard: `/map/<builder>/<number div BUILDS_PER_SHARD>.json`. */
export const BUILDS_PER_SHARD = 1000;

export interface MapLog {
  readonly name: string;
  /** Absolute URL, or a path on this site (starting with the site's base path). */
  readonly url: string;
}

export interface MapStep {
  readonly name: string;
  readonly logs: readonly MapLog[];
}

/** The watcher build that asked for a build: buildbot's `triggered_by`. */
export interface MapWatcher {
  readonly builder: string;
  readonly number: number;
}

/** One build as the map keeps it: the ledger entry without `builder` and `number` (the keys). */
export interface MapBuild {
  readonly port?: string;
  readonly platform?: string;
  readonly result?: 'success' | 'failure' | 'cancelled';
  readonly finishedAt?: string;
  readonly startedAt?: string;
  readonly watcher?: MapWatcher;
  readonly failedStep?: string;
  readonly revision?: string;
  readonly url: string;
  readonly steps?: readonly MapStep[];
}

/**
 * A build as a shard stores it. `steps` is either the list (log URLs without the shard's
 * `prefix`) or the index of a list in the shard's `stepSets`, whose log URLs are relative to
 * the build URL's folder (`urlFolder`): builds of a builder mostly have the same steps, logged beside the build page.
 */
export interface StoredBuild {
  readonly port?: string;
  readonly platform?: string;
  readonly result?: 'success' | 'failure' | 'cancelled';
  readonly finishedAt?: string;
  /** Seconds from start to finish (the start is finishedAt minus these): shorter than a second date. */
  readonly took?: number;
  /** The watcher's number when it is the platform's `ports-<platform>-watcher`, else builder and number. */
  readonly watcher?: number | readonly [string, number];
  readonly failedStep?: string;
  /** An index into the shard's `revisions`: the builds of one watcher share its commit. */
  readonly revision?: number;
  readonly url: string;
  readonly steps?: readonly MapStep[] | number;
}

/**
 * A shard as the lookup reads it (`unpackShard` of the stored `PackedShard`): builds k*1000 … k*1000+999 of one builder, keyed by number. Read
 * builds through `expandBuild`: URLs are stored without `prefix`, shared step lists once in
 * `stepSets`, and `platform` only when the builder's name does not say it.
 */
export interface MapShard {
  readonly v: typeof SITE_MAP_VERSION;
  readonly builder: string;
  readonly shard: number;
  /** The part every URL of the shard starts with (step-set log URLs excepted: they follow their build's URL). */
  readonly prefix?: string;
  readonly stepSets?: readonly (readonly MapStep[])[];
  readonly revisions?: readonly string[];
  readonly builds: Readonly<Record<string, StoredBuild>>;
}

/**
 * `/map/<builder>/<k>.json` as stored: a shard in columns (`unpackShard` gives back the
 * `MapShard`). A million builds are written at ~40 bytes each instead of ~230 as objects with
 * their keys: build numbers as runs, finish times as milliseconds since the build before,
 * watcher numbers as steps from the one before, results one letter each, URLs that follow the
 * shard's template not at all. Column `i` is the shard's `i`-th build in number order.
 */
export interface PackedShard {
  readonly v: typeof SITE_MAP_VERSION;
  readonly builder: string;
  readonly shard: number;
  readonly prefix?: string;
  /** A build's URL after `prefix` unless `urls` says otherwise; `{n}` stands for its number. */
  readonly url?: string;
  readonly stepSets?: readonly (readonly MapStep[])[];
  readonly revisions?: readonly string[];
  /** Numbers present: pairs [gap, length], the gap counted from the end of the run before (the first from k*1000). */
  readonly runs: readonly number[];
  readonly port?: readonly (string | null)[];
  /** One letter a build: `s` success, `f` failure, `c` cancelled, `-` none. */
  readonly result?: string;
  /** Finish in epoch milliseconds since the finish of the last build before that had one (the first: since 1970). */
  readonly fin?: readonly (number | null)[];
  /** index → finishedAt text that is not `Date.toISOString()` of its milliseconds (kept as written). */
  readonly oddFin?: Readonly<Record<string, string>>;
  readonly took?: readonly (number | null)[];
  /** The platform watcher's number as a step from the last such number before; other watchers as [builder, number]. */
  readonly watcher?: readonly (number | null | readonly [string, number])[];
  readonly revision?: readonly (number | null)[];
  /** index → platform, for the few builds whose builder's name does not say it. */
  readonly platform?: Readonly<Record<string, string>>;
  readonly failedStep?: Readonly<Record<string, string>>;
  /** index → URL after `prefix`, for builds that do not follow `url`. */
  readonly urls?: Readonly<Record<string, string>>;
  /** The end every `urls` entry had and is stored without (`/index.html` of the controller's archive pages). */
  readonly urlsEnd?: string;
  /** One step-set index for every build, or per build an index, a list (URLs after `prefix`) or null. */
  readonly steps?: number | readonly (number | null | readonly MapStep[])[];
}

export interface BuilderSummary {
  readonly first: number;
  readonly latest: number;
  readonly count: number;
  /** Shard numbers that exist, ascending. */
  readonly shards: readonly number[];
}

/** `/map/_index.json`: what the site holds. `_` keeps it apart from builder names. */
export interface SiteIndex {
  readonly v: typeof SITE_MAP_VERSION;
  /** Path the site is served under (`/` or `/repo/`), from site.baseUrl. */
  readonly basePath: string;
  /** site.baseUrl: where the site is published; `site resolve` prints site paths below it. */
  readonly baseUrl: string;
  readonly builds: number;
  readonly builders: Readonly<Record<string, BuilderSummary>>;
  /** Ports with a page (`/map/_ports/<lower-case name>.json`, `portFilePath`): the ledger's and those only pending. */
  readonly ports: number;
  /** Number of `/map/_ids/<bucket>.json` files; a build id's bucket is `portBucket(id, idBuckets)`. */
  readonly idBuckets: number;
  /** When `site build` wrote the site (ISO 8601); absent in sites written before it was recorded. */
  readonly builtAt?: string;
  /** The ETA snapshot the port pages' pending builds come from; absent: the site was built without one. */
  readonly eta?: SiteEta;
}

/** `/map/_ids/<bucket>.json`: build id → builder and number, for the `/builds/<id>/…` links. */
export interface IdBucket {
  readonly v: typeof SITE_MAP_VERSION;
  /** The builders the bucket's ids belong to, each once: a name for every id was most of the bytes. */
  readonly builders: readonly string[];
  /** build id → [index into `builders`, number]. */
  readonly ids: Readonly<Record<string, readonly [number, number]>>;
}

export function idBucketPath(bucket: number): string {
  return `map/_ids/${bucket}.json`;
}

/** One build of a port as its port page shows it. */
export interface PortBuild {
  readonly builder: string;
  readonly number: number;
  readonly platform: string;
  readonly result?: 'success' | 'failure' | 'cancelled';
  readonly finishedAt?: string;
}

export interface PortSummary {
  /** Latest build per platform, platforms sorted by name. */
  readonly latest: readonly PortBuild[];
  /** Most recent builds first. */
  readonly recent: readonly PortBuild[];
  /**
   * Builds of the port queued or running as of the controller's ETA snapshot (`SiteIndex.eta`),
   * platforms sorted by name; absent when none were (only ports with pending builds carry it).
   */
  readonly pending?: readonly PendingBuild[];
}

/**
 * A pending build as the port page shows it, kept short (a full rebuild has every port pending
 * on every platform): `[platform, position, low, mid, high]` with the estimated finish in whole
 * minutes after `SiteIndex.eta.asOf` (20th percentile, median, 80th), or `[platform, position,
 * reason]` when there is no estimate. Position 0: already building; 1: next in line.
 */
export type PendingBuild =
  | readonly [platform: string, position: number, low: number, mid: number, high: number]
  | readonly [platform: string, position: number, unknown: PendingUnknown];

/** Why a pending build has no estimate: nothing seen to estimate from, waiting for what it depends on, too far back in line. */
export type PendingUnknown = 'no-history' | 'not-selected' | 'beyond-limit';

/** The controller's ETA snapshot a site was built with. */
export interface SiteEta {
  /** When the controller made the estimates (ISO 8601). */
  readonly asOf: string;
  /** The controller's live answer, asked as `<live>?port=<port>`; absent when the site build was not told where it is. */
  readonly live?: string;
}

/**
 * `/map/_ports/<lower-case name>.json` (`portFilePath`): the ports of that name, in whatever case
 * the ledger and the ETA snapshot spell them (MacPorts' names are case-sensitive, readers type
 * them in any case). One small file a port, so that adding builds rewrites only the ports they name.
 */
export interface PortFile {
  readonly v: typeof SITE_MAP_VERSION;
  readonly ports: Readonly<Record<string, PortSummary>>;
}

export function shardOf(number: number): number {
  return Math.floor(number / BUILDS_PER_SHARD);
}

export function shardPath(builder: string, shard: number): string {
  return `map/${builder}/${shard}.json`;
}

export const INDEX_PATH = 'map/_index.json';

export const PORTS_DIR = 'map/_ports';

/** The file of a port (a MacPorts name: `[A-Za-z0-9][A-Za-z0-9._+-]*`, no `..`), named in lower case. */
export function portFilePath(port: string): string {
  return `${PORTS_DIR}/${port.toLowerCase()}.json`;
}
