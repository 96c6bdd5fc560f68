import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portBucket } from '../lookup/port-bucket.ts';
import { portBucketPath, type PortBucket } from '../lookup/site-map.ts';
import { PortHistory, type NotedBuild } from './port-history.ts';
import { portBucketCount, writePortBuckets } from './write-buckets.ts';

/** A port build of a new ledger line, in ledger order. */
export interface PortNote {
  readonly port: string;
  readonly build: NotedBuild;
}

/**
 * Adds the new lines' port builds to a written site's port buckets: the buckets of the ports
 * they name are read back into a port history, the builds noted, those buckets written again.
 * When new ports change the number of buckets, every port moves: all are read and written.
 */
export async function updatePortBuckets(
  dir: string,
  before: { readonly ports: number; readonly portBuckets: number },
  notes: readonly PortNote[],
  recentPerPort: number,
  write: (path: string, text: string) => Promise<void>,
): Promise<{ readonly ports: number; readonly buckets: number; readonly written: number }> {
  const loaded = new Map<number, PortBucket>();
  const load = async (i: number): Promise<PortBucket> => {
    let bucket = loaded.get(i);
    if (bucket === undefined) {
      bucket = JSON.parse(await readFile(join(dir, portBucketPath(i)), 'utf8')) as PortBucket;
      loaded.set(i, bucket);
    }
    return bucket;
  };
  const names = new Set(notes.map((note) => note.port));
  let added = 0;
  for (const name of names) {
    if (before.portBuckets === 0 || !Object.hasOwn((await load(portBucket(name, before.portBuckets))).ports, name)) added += 1;
  }
  const ports = before.ports + added;
  const buckets = portBucketCount(ports);
  if (buckets !== before.portBuckets) for (let i = 0; i < before.portBuckets; i += 1) await load(i);
  const history = new PortHistory(recentPerPort);
  for (const bucket of loaded.values()) for (const [name, summary] of Object.entries(bucket.ports)) history.restore(name, summary);
  for (const { port, build } of notes) history.note(port, build);
  const only = buckets === before.portBuckets ? new Set([...names].map((name) => portBucket(name, buckets))) : undefined;
  const written = await writePortBuckets(dir, history, buckets, only, write);
  return { ports, buckets, written };
}
