import type { MapBuild } from './site-map.ts';

/** Buildbot 0.8 result codes, so old JSON readers keep working: SUCCESS 0, FAILURE 2, CANCELLED 6. */
const RESULT_CODES = { success: 0, failure: 2, cancelled: 6 } as const;

export interface BuildJson {
  readonly builderName: string;
  readonly number: number;
  readonly results: number | null;
  readonly text: readonly string[];
  readonly times: readonly [null, number | null];
  readonly properties: readonly (readonly [string, string, string])[];
  readonly steps: readonly { readonly name: string; readonly logs: readonly (readonly [string, string])[] }[];
  /** portfarm additions: the build page the site redirects to. */
  readonly url: string;
}

/** The `/json/builders/<b>/builds/<n>` answer: buildbot 0.8's field names where they exist. */
export function buildJson(builder: string, number: number, build: MapBuild): BuildJson {
  const properties: [string, string, string][] = [['buildername', builder, 'Builder']];
  if (build.port !== undefined) properties.push(['portname', build.port, 'portfarm']);
  if (build.platform !== undefined) properties.push(['platform', build.platform, 'portfarm']);
  const finished = build.finishedAt === undefined ? null : Date.parse(build.finishedAt) / 1000;
  return {
    builderName: builder,
    number,
    results: build.result === undefined ? null : RESULT_CODES[build.result],
    text: build.result === undefined ? [] : [build.result],
    times: [null, finished],
    properties,
    steps: (build.steps ?? []).map((s) => ({ name: s.name, logs: s.logs.map((l) => [l.name, l.url] as const) })),
    url: build.url,
  };
}
