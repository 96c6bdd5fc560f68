import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portBucket } from '../lookup/port-bucket.ts';
import { idBucketPath, portBucketPath, SITE_MAP_VERSION, type IdBucket, type PendingBuild, type PortBucket, type PortSummary } from '../lookup/site-map.ts';
import type { PortHistory } from './port-history.ts';

/** About this many build ids per `/map/_ids/<bucket>.json`. */
const IDS_PER_BUCKET = 2000;
/** About this many ports per `/map/_ports/<bucket>.json`. */
export const PORTS_PER_BUCKET = 40;

/** The build-id → builder and number buckets; returns how many files were written. */
export async function writeIdBuckets(dir: string, ids: ReadonlyMap<string, readonly [string, number]>): Promise<number> {
  if (ids.size === 0) return 0;
  const count = Math.ceil(ids.size / IDS_PER_BUCKET);
  interface Bucket { readonly builders: string[]; readonly index: Map<string, number>; readonly ids: Record<string, readonly [number, number]> }
  const buckets = Array.from({ length: count }, (): Bucket => ({ builders: [], index: new Map(), ids: {} }));
  for (const [id, [builder, number]] of ids) {
    const bucket = buckets[portBucket(id, count)];
    if (bucket === undefined) continue;
    let b = bucket.index.get(builder);
    if (b === undefined) {
      b = bucket.builders.length;
      bucket.index.set(builder, b);
      bucket.builders.push(builder);
    }
    bucket.ids[id] = [b, number];
  }
  await mkdir(join(dir, 'map', '_ids'), { recursive: true });
  for (const [i, bucket] of buckets.entries()) {
    const file: IdBucket = { v: SITE_MAP_VERSION, builders: bucket.builders, ids: bucket.ids };
    await writeFile(join(dir, idBucketPath(i)), JSON.stringify(file));
  }
  return count;
}

/**
 * The per-port summaries (latest result per platform, recent builds, and the builds pending as
 * of the ETA snapshot); a port with pending builds and none recorded yet gets a summary too.
 * Returns how many files were written and how many ports they hold.
 */
export async function writePortBuckets(dir: string, ports: PortHistory, pending: ReadonlyMap<string, readonly PendingBuild[]> = new Map()): Promise<{ readonly files: number; readonly ports: number }> {
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
  if (names.length === 0) return { files: 0, ports: 0 };
  const count = Math.ceil(names.length / PORTS_PER_BUCKET);
  const buckets = Array.from({ length: count }, () => [] as string[]);
  for (const port of names) buckets[portBucket(port, count)]?.push(port);
  await mkdir(join(dir, 'map', '_ports'), { recursive: true });
  for (const [i, inBucket] of buckets.entries()) {
    // Null prototype: a port named like an Object property must be a port, not a prototype.
    const summaries = Object.create(null) as Record<string, PortSummary>;
    for (const name of inBucket.sort((a, b) => a.localeCompare(b))) {
      const summary = ports.summary(name) ?? { latest: [], recent: [] };
      const waiting = pendingOf.get(name);
      summaries[name] = waiting === undefined ? summary : { ...summary, pending: waiting };
    }
    const bucket: PortBucket = { v: SITE_MAP_VERSION, ports: summaries };
    await writeFile(join(dir, portBucketPath(i)), JSON.stringify(bucket));
  }
  return { files: count, ports: names.length };
}
