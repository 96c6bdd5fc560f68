import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { counterId, idRunPath, type CounterId, type IdRun } from '../lookup/id-runs.ts';
import { portBucket } from '../lookup/port-bucket.ts';
import { idBucketPath, type IdBucket } from '../lookup/site-map.ts';
import { idBucketCount, writeIdBuckets } from './write-buckets.ts';
import { decodeIdRun, encodeIdRun, groupIdRuns } from './write-id-runs.ts';

/**
 * Adds the new lines' build ids to a written site: the run files of the controller's ids they
 * fall in are read back, the ids added, written again; ids kept by hash (rare: build pages not
 * named by the controller) are all read back, and the buckets they touch written again (all of
 * them when their number changes).
 */
export async function updateIds(
  dir: string,
  before: { readonly idBuckets: number; readonly hashedIds: number },
  ids: Iterable<readonly [string, readonly [string, number]]>,
  write: (path: string, text: string) => Promise<void>,
): Promise<{ readonly newRuns: number; readonly idBuckets: number; readonly hashedIds: number }> {
  const counted = new Map<CounterId, readonly [string, number]>();
  const hashed = new Map<string, readonly [string, number]>();
  for (const [id, at] of ids) {
    const counter = counterId(id);
    if (counter === undefined) hashed.set(id, at);
    else counted.set(counter, at);
  }
  let newRuns = 0;
  for (const { prefix, run, slots } of groupIdRuns(counted).values()) {
    const path = join(dir, idRunPath(prefix, run));
    const text = await readFile(path, 'utf8').catch((caught: unknown) => {
      if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw caught;
    });
    if (text === undefined) newRuns += 1;
    const merged = text === undefined ? new Map<number, readonly [string, number]>() : decodeIdRun(JSON.parse(text) as IdRun);
    for (const [slot, at] of slots) merged.set(slot, at);
    await write(path, JSON.stringify(encodeIdRun(merged)));
  }
  if (hashed.size === 0) return { newRuns, idBuckets: before.idBuckets, hashedIds: before.hashedIds };
  const all = new Map<string, readonly [string, number]>();
  for (let i = 0; i < before.idBuckets; i += 1) {
    const bucket = JSON.parse(await readFile(join(dir, idBucketPath(i)), 'utf8')) as IdBucket;
    for (const [id, [b, number]] of Object.entries(bucket.ids)) all.set(id, [bucket.builders[b] ?? '', number]);
  }
  for (const [id, at] of hashed) all.set(id, at);
  const count = idBucketCount(all.size);
  const only = count === before.idBuckets ? new Set([...hashed.keys()].map((id) => portBucket(id, count))) : undefined;
  await writeIdBuckets(dir, all, count, only, write);
  return { newRuns, idBuckets: count, hashedIds: all.size };
}
