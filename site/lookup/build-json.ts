import type { MapBuild } from './site-map.ts';

/** Buildbot 0.8 result codes, so old JSON readers keep working: SUCCESS 0, FAILURE 2, CANCELLED 6. */
const RESULT_CODES = { success: 0, failure: 2, cancelled: 6 } as const;

export interface BuildJson {
  readonly builderName: string;
  readonly number: number;
  readonly results: number | null;
  readonly text: readonly string[];
  /** `[start, end]` in epoch seconds, as buildbot 0.8 wrote them; null only when the ledger has no time at all. */
  readonly times: readonly [number | null, number | null];
  readonly properties: readonly (readonly [string, string | number, string])[];
  readonly steps: readonly { readonly name: string; readonly logs: readonly (readonly [string, string])[] }[];
  /** portfarm additions: the build page the site redirects to. */
  readonly url: string;
}

/**
 * The `/json/builders/<b>/builds/<n>` answer in buildbot 0.8's fields and shapes, as
 * ports.macports.org's importer reads them (`properties` as `[name, value, source]`, `text` as
 * status words it joins with spaces, `times` as numbers, `triggered_by` as the watcher build's
 * absolute URL of which it takes path segment 6). `siteUrl` is site.baseUrl: log URLs that are
 * paths on the site and `triggered_by` are made absolute with it.
 *
 * A line recorded before builds had a start time starts when it finished (a build time of 0,
 * which the importer stores as it is); without a watcher it names the platform's latest watcher
 * build (`…/builds/-1`), an address the site answers and a number the importer can store.
 */
export function buildJson(builder: string, number: number, build: MapBuild, siteUrl: string): BuildJson {
  const site = new URL(siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
  const absolute = (url: string): string => new URL(url, site).href;
  const platform = build.platform ?? '';
  const watcher = build.watcher ?? { builder: `ports-${platform}-watcher`.toLowerCase(), number: -1 };
  const properties: [string, string | number, string][] = [
    ['buildername', builder, 'Builder'],
    ['buildnumber', number, 'Build'],
  ];
  if (build.port !== undefined) properties.push(['portname', build.port, 'Trigger']);
  if (build.platform !== undefined) properties.push(['platform', build.platform, 'portfarm']);
  if (build.port !== undefined) properties.push(['triggered_by', absolute(`builders/${watcher.builder}/builds/${watcher.number}`), 'Trigger']);
  if (build.revision !== undefined) properties.push(['revision', build.revision, 'Build']);
  const finished = build.finishedAt === undefined ? null : Date.parse(build.finishedAt) / 1000;
  const started = build.startedAt === undefined ? finished : Date.parse(build.startedAt) / 1000;
  return {
    builderName: builder,
    number,
    results: build.result === undefined ? null : RESULT_CODES[build.result],
    text: statusWords(build),
    times: [started, finished],
    properties,
    steps: (build.steps ?? []).map((s) => ({ name: s.name, logs: s.logs.map((l) => [l.name, absolute(l.url)] as const) })),
    url: absolute(build.url),
  };
}

/** buildbot 0.8's `text` of a finished build: `build successful`, `failed install-port`, `exception interrupted`. */
function statusWords(build: MapBuild): string[] {
  switch (build.result) {
    case 'success':
      return ['build', 'successful'];
    case 'failure':
      return build.failedStep === undefined ? ['failed'] : ['failed', build.failedStep];
    case 'cancelled':
      return ['exception', 'interrupted'];
    default:
      return [];
  }
}
