import { platformOf } from './platform-of.ts';
import type { MapBuild, MapShard, MapStep, StoredBuild } from './site-map.ts';

/**
 * A build of a shard as the ledger had it: the shard keeps URLs without their common `prefix`,
 * step lists that repeat once (log URLs relative to the build's URL), and leaves out a platform
 * its builder's name already says (a sixth of the bytes at 1,000 builds).
 */
export function expandBuild(shard: MapShard, build: StoredBuild): MapBuild {
  const prefix = shard.prefix ?? '';
  const url = prefix + build.url;
  const { steps: stored, ...rest } = build;
  let steps: readonly MapStep[] | undefined;
  if (typeof stored === 'number') {
    const set = shard.stepSets?.[stored] ?? [];
    steps = set.map((s) => ({ name: s.name, logs: s.logs.map((l) => ({ name: l.name, url: url + l.url })) }));
  } else if (stored !== undefined) {
    steps = stored.map((s) => ({ name: s.name, logs: s.logs.map((l) => ({ name: l.name, url: prefix + l.url })) }));
  }
  return {
    ...rest,
    platform: build.platform ?? platformOf(shard.builder),
    url,
    ...(steps === undefined ? {} : { steps }),
  };
}
