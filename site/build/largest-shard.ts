/** A map shard and its size in bytes. */
export interface ShardSize {
  readonly path: string;
  readonly bytes: number;
}

/**
 * The larger of two shards; of two the same size, the one whose path sorts first. The largest
 * shard is a function of the shards, not of the order they were written in, so an update of the
 * site reports what a whole build reports.
 */
export function largerShard(a: ShardSize, b: ShardSize): ShardSize {
  if (b.bytes !== a.bytes) return b.bytes > a.bytes ? b : a;
  return b.path < a.path ? b : a;
}
