import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portBucket } from '../lookup/port-bucket.ts';
import { idBucketPath, SITE_MAP_VERSION, type IdBucket } from '../lookup/site-map.ts';

/** About this many build ids per `/map/_ids/<bucket>.json`. */
const IDS_PER_BUCKET = 2000;

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
