import { join } from 'node:path';
import type { BuilderSummary } from '../lookup/site-map.ts';
import { builderHtml } from './builder-pages.ts';
import { routerHtml } from './router-html.ts';
import type { BuilderState } from './shard-buffer.ts';
import type { ManifestState } from './site-manifest.ts';
import type { SiteFold } from './site-fold.ts';

/** The builders' lines of `/map/_index.json`, by name. */
export function builderSummaries(builders: ReadonlyMap<string, BuilderState>): Map<string, BuilderSummary> {
  return new Map(
    [...builders.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => [s.name, { first: s.first, latest: s.latest, count: s.count, shards: [...s.shards].sort((a, b) => a - b) }]),
  );
}

/** A builder's page and, when it has a latest build, its `/builds/-1` page: [path in the site, HTML]. */
export function builderPages(base: string, script: string, name: string, summary: BuilderSummary, latest: BuilderState['latestBuild']): [string, string][] {
  const pages: [string, string][] = [[join('builders', name, 'index.html'), builderHtml(base, name, summary, latest)]];
  if (latest !== undefined) {
    const fallback = { url: latest.url, label: `${name} build ${latest.number}` };
    pages.push([join('builders', name, 'builds', '-1', 'index.html'), routerHtml(base, script, fallback)]);
  }
  return pages;
}

/** The manifest's `lastWatcher`, platforms by name. */
export function lastWatcherState(fold: SiteFold): ManifestState['lastWatcher'] {
  const state: ManifestState['lastWatcher'] = {};
  for (const platform of [...fold.lastWatcher.keys()].sort()) {
    const watcher = fold.lastWatcher.get(platform);
    if (watcher !== undefined) state[platform] = [watcher.builder, watcher.number];
  }
  return state;
}
