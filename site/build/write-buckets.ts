import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portBucket } from '../lookup/port-bucket.ts';
import { idBucketPath, portBucketPath, SITE_MAP_VERSION, type IdBucket, type PortBucket, type PortSummary } from '../lookup/site-map.ts';
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

/** The per-port summaries (latest result per platform, recent builds); returns how many files were written. */
export async function writePortBuckets(dir: string, ports: PortHistory): Promise<number> {
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
