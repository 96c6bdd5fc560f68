import { platformOf } from './platform-of.ts';
import type { MapBuild, MapShard, MapStep, MapWatcher, StoredBuild } from './site-map.ts';

/**
 * A build of a shard as the ledger had it: the shard keeps URLs without their common `prefix`,
 * step lists that repeat once (log URLs relative to the build URL's folder, `urlFolder`), and leaves out a platform
 * its builder's name already says (a sixth of the bytes at 1,000 builds); the start as seconds
 * before the finish, the watcher as its number when it is the platform's watcher, and the
 * commit as an index into the shard's `revisions`.
 */
export function expandBuild(shard: MapShard, build: StoredBuild): MapBuild {
  const prefix = shard.prefix ?? '';
  const url = prefix + build.url;
  const { steps: stored, took, watcher: storedWatcher, revision: revisionIndex, ...rest } = build;
  let steps: readonly MapStep[] | undefined;
  if (typeof stored === 'number') {
    const set = shard.stepSets?.[stored] ?? [];
    const folder = urlFolder(url);
    steps = set.map((s) => ({ name: s.name, logs: s.logs.map((l) => ({ name: l.name, url: folder + l.url })) }));
  } else if (stored !== undefined) {
    steps = stored.map((s) => ({ name: s.name, logs: s.logs.map((l) => ({ name: l.name, url: prefix + l.url })) }));
  }
  const platform = build.platform ?? platformOf(shard.builder);
  const watcher: MapWatcher | undefined =
    storedWatcher === undefined ? undefined
    : typeof storedWatcher === 'number' ? { builder: platformWatcher(platform), number: storedWatcher }
    : { builder: storedWatcher[0], number: storedWatcher[1] };
  const finished = build.finishedAt === undefined ? Number.NaN : Date.parse(build.finishedAt);
  const startedAt = took === undefined || Number.isNaN(finished) ? undefined : new Date(finished - took * 1000).toISOString();
  const revision = revisionIndex === undefined ? undefined : shard.revisions?.[revisionIndex];
  return {
    ...rest,
    platform,
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(watcher === undefined ? {} : { watcher }),
    ...(revision === undefined ? {} : { revision }),
    url,
    ...(steps === undefined ? {} : { steps }),
  };
}

/** The watcher builder of a platform: `15_arm64` → `ports-15_arm64-watcher`. */
export function platformWatcher(platform: string): string {
  return `ports-${platform}-watcher`.toLowerCase();
}

/**
 * What a shared step list's log URLs are relative to: the build URL up to its last `/`. The
 * controller's archive links `<id>/index.html` and the logs beside it (`<id>/install-port/stdio.txt.gz`),
 * so relative to the URL itself no list was ever shared and every build stored its logs in full.
 */
export function urlFolder(url: string): string {
  return url.slice(0, url.lastIndexOf('/') + 1);
}
