import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portBucket } from '../lookup/port-bucket.ts';
import { idBucketPath, portBucketPath, SITE_MAP_VERSION, type IdBucket, type PendingBuild, type PortBucket, type PortSummary } from '../lookup/site-map.ts';
import type { PortHistory } from './port-history.ts';

/** About this many build ids per `/map/_ids/<bucket>.json`. */
const IDS_PER_BUCKET = 2000;
/** About this many ports per `/map/_ports/<bucket>.json`. */
export const PORTS_PER_BUCKET = 40;

/**
 * The build-id → builder and number buckets; returns how many files were written. A bucket is
 * a function of the ids in it (sorted, builders in the order of their first id), not of the
 * order they were read in, so an update that adds ids writes what a whole build writes. `only`:
 * just those buckets.
 */
export async function writeIdBuckets(
  dir: string,
  ids: ReadonlyMap<string, readonly [string, number]>,
  count: number = idBucketCount(ids.size),
  only?: ReadonlySet<number>,
  write: (path: string, text: string) => Promise<void> = (path, text) => writeFile(path, text),
): Promise<number> {
  if (count === 0) return 0;
  const buckets = Array.from({ length: count }, (): string[] => []);
  for (const id of ids.keys()) buckets[portBucket(id, count)]?.push(id);
  await mkdir(join(dir, 'map', '_ids'), { recursive: true });
  let written = 0;
  for (const [i, names] of buckets.entries()) {
    if (only !== undefined && !only.has(i)) continue;
    const builders: string[] = [];
    const index = new Map<string, number>();
    const kept: Record<string, readonly [number, number]> = {};
    for (const id of names.sort()) {
      const [builder, number] = ids.get(id) ?? ['', 0];
      let b = index.get(builder);
      if (b === undefined) {
        b = builders.length;
        index.set(builder, b);
        builders.push(builder);
      }
      kept[id] = [b, number];
    }
    const file: IdBucket = { v: SITE_MAP_VERSION, builders, ids: kept };
    await write(join(dir, idBucketPath(i)), JSON.stringify(file));
    written += 1;
  }
  return written;
}

/** How many `/map/_ids/<bucket>.json` files `ids` ids kept by hash take. */
export function idBucketCount(ids: number): number {
  return ids === 0 ? 0 : Math.ceil(ids / IDS_PER_BUCKET);
}

export interface WritePortBucketsOptions {
  /** The builds pending as of the ETA snapshot, by port (`pendingByPort`). */
  readonly pending?: ReadonlyMap<string, readonly PendingBuild[]> | undefined;
  /** How many buckets the site has; default: as many as `ports` and the pending ports take. */
  readonly count?: number | undefined;
  /** Just these buckets (an update rewrites the buckets of the ports it touched; `ports` then holds just their ports). */
  readonly only?: ReadonlySet<number> | undefined;
  readonly write?: ((path: string, text: string) => Promise<void>) | undefined;
}

/**
 * The per-port summaries (latest result per platform, recent builds, and the builds pending as
 * of the ETA snapshot); a port with pending builds and none recorded yet gets a summary too.
 * Returns how many files were written, how many buckets the site has and how many ports they hold.
 */
export async function writePortBuckets(
  dir: string,
  ports: PortHistory,
  options: WritePortBucketsOptions = {},
): Promise<{ readonly files: number; readonly buckets: number; readonly ports: number }> {
  const pending = options.pending ?? new Map<string, readonly PendingBuild[]>();
  const write = options.write ?? ((path: string, text: string) => writeFile(path, text));
  // A port the snapshot spells in another case than the ledger is the ledger's port.
  const known = new Map<string, string>();
  if (pending.size > 0) for (const name of ports.ports()) known.set(name.toLowerCase(), name);
  const pendingOf = new Map<string, readonly PendingBuild[]>();
  const names = [...ports.ports()];
  for (const [port, builds] of pending) {
    const name = known.get(port.toLowerCase());
    if (name === undefined) names.push(port);
    pendingOf.set(name ?? port, builds);
  }
  const count = options.count ?? portBucketCount(names.length);
  if (count === 0) return { files: 0, buckets: 0, ports: 0 };
  const buckets = Array.from({ length: count }, () => [] as string[]);
  for (const port of names) buckets[portBucket(port, count)]?.push(port);
  await mkdir(join(dir, 'map', '_ports'), { recursive: true });
  let written = 0;
  for (const [i, inBucket] of buckets.entries()) {
    if (options.only !== undefined && !options.only.has(i)) continue;
    // Null prototype: a port named like an Object property must be a port, not a prototype.
    const summaries = Object.create(null) as Record<string, PortSummary>;
    for (const name of inBucket.sort((a, b) => a.localeCompare(b))) {
      const summary = ports.summary(name) ?? { latest: [], recent: [] };
      const waiting = pendingOf.get(name);
      summaries[name] = waiting === undefined ? summary : { ...summary, pending: waiting };
    }
    const bucket: PortBucket = { v: SITE_MAP_VERSION, ports: summaries };
    await write(join(dir, portBucketPath(i)), JSON.stringify(bucket));
    written += 1;
  }
  return { files: written, buckets: count, ports: names.length };
}

/** How many `/map/_ports/<bucket>.json` files a site of `ports` ports has. */
export function portBucketCount(ports: number): number {
  return ports === 0 ? 0 : Math.ceil(ports / PORTS_PER_BUCKET);
}
