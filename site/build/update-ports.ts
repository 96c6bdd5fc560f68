import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { portBucket } from '../lookup/port-bucket.ts';
import { portBucketPath, type PendingBuild, type PortBucket } from '../lookup/site-map.ts';
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
 *
 * With an ETA snapshot now or at the last build (`pending` given), every bucket is read and
 * written: a new snapshot changes the pending part of any port, adds ports that have only
 * pending builds and drops them again, so the bucket count can shrink too (the buckets past the
 * new count are removed). The pending part read back is dropped; `pending` is the new one.
 */
export async function updatePortBuckets(
  dir: string,
  before: { readonly ports: number; readonly portBuckets: number },
  notes: readonly PortNote[],
  recentPerPort: number,
  write: (path: string, text: string) => Promise<void>,
  pending?: ReadonlyMap<string, readonly PendingBuild[]>,
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
  if (pending !== undefined) return rewritePortBuckets(dir, before.portBuckets, notes, recentPerPort, write, pending);
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
  const written = await writePortBuckets(dir, history, { count: buckets, only, write });
  return { ports, buckets, written: written.files };
}

/** Every port bucket read back (without its pending part and its pending-only ports) and written again with `pending`. */
async function rewritePortBuckets(
  dir: string,
  bucketsBefore: number,
  notes: readonly PortNote[],
  recentPerPort: number,
  write: (path: string, text: string) => Promise<void>,
  pending: ReadonlyMap<string, readonly PendingBuild[]>,
): Promise<{ readonly ports: number; readonly buckets: number; readonly written: number }> {
  const history = new PortHistory(recentPerPort);
  for (let i = 0; i < bucketsBefore; i += 1) {
    const bucket = JSON.parse(await readFile(join(dir, portBucketPath(i)), 'utf8')) as PortBucket;
    for (const [name, summary] of Object.entries(bucket.ports)) {
      // A port with only pending builds has no builds recorded: it is the old snapshot's, not the ledger's.
      if (summary.latest.length > 0 || summary.recent.length > 0) history.restore(name, summary);
    }
  }
  for (const { port, build } of notes) history.note(port, build);
  const written = await writePortBuckets(dir, history, { pending, write });
  for (let i = written.buckets; i < bucketsBefore; i += 1) await unlink(join(dir, portBucketPath(i)));
  return { ports: written.ports, buckets: written.buckets, written: written.files };
}
