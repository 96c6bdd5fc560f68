import { isBuildId } from '../../controller/model/build-id.ts';

/**
 * What a path on the site asks for. Buildbot 0.8 paths are matched case-insensitively, with or
 * without a trailing slash, percent-decoded segment by segment. A negative build number counts
 * back from the latest build (`-1` is the latest), as buildbot did.
 */
export type LegacyRequest =
  | { readonly kind: 'home' }
  | { readonly kind: 'builders' }
  | { readonly kind: 'builder'; readonly builder: string }
  | { readonly kind: 'build'; readonly builder: string; readonly number: number }
  | { readonly kind: 'step'; readonly builder: string; readonly number: number; readonly step: string }
  | {
      readonly kind: 'log';
      readonly builder: string;
      readonly number: number;
      readonly step: string;
      readonly log: string;
      readonly text: boolean;
    }
  | { readonly kind: 'json-build'; readonly builder: string; readonly number: number }
  /** `/builds/<buildId>[/steps/<step>[/logs/<log>[/text]]]`: the link the action prints while the build runs. */
  | { readonly kind: 'build-id'; readonly buildId: string; readonly step?: string; readonly log?: string }
  | { readonly kind: 'port'; readonly port: string }
  | { readonly kind: 'not-legacy'; readonly reason: string };

/** Builder names as they appear in map paths: lower case, no `/`, never starting with `_` or `.`. */
const BUILDER = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const NUMBER = /^-?\d{1,9}$/;
const PORT = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** `path` is the part after the site's base path, e.g. `builders/x/builds/1` (leading `/` optional). */
export function parseLegacyPath(path: string): LegacyRequest {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { kind: 'not-legacy', reason: `"${raw}" is not valid percent-encoding` };
    }
    segments.push(segment);
  }
  if (segments.length === 0) return { kind: 'home' };
  const head = (segments[0] ?? '').toLowerCase();
  if (head === 'index.html' && segments.length === 1) return { kind: 'home' };
  if (head === 'ports') return parsePort(segments);
  if (head === 'json') return parseJson(segments.slice(1));
  if (head === 'builders') return parseBuilders(segments.slice(1));
  if (head === 'builds') return parseBuildId(segments.slice(1));
  return notLegacy();
}

function notLegacy(): LegacyRequest {
  return {
    kind: 'not-legacy',
    reason: 'it is not a build-log address; they look like /builders/<builder>/builds/<number>[/steps/<step>/logs/<log>]',
  };
}

function parsePort(segments: readonly string[]): LegacyRequest {
  const port = segments[1];
  if (segments.length === 1) return { kind: 'home' };
  if (port === undefined || segments.length > 3 || (segments.length === 3 && segments[2]?.toLowerCase() !== 'index.html')) {
    return { kind: 'not-legacy', reason: 'port pages look like /ports/<port>/' };
  }
  if (!PORT.test(port) || port.includes('..')) return { kind: 'not-legacy', reason: `"${port}" is not a MacPorts port name` };
  return { kind: 'port', port };
}

function parseBuilders(rest: readonly string[]): LegacyRequest {
  if (rest.length === 0) return { kind: 'builders' };
  const builder = (rest[0] ?? '').toLowerCase();
  if (!BUILDER.test(builder)) return { kind: 'not-legacy', reason: `"${rest[0] ?? ''}" is not a builder name` };
  if (rest.length === 1) return { kind: 'builder', builder };
  if (rest[1]?.toLowerCase() !== 'builds' || rest.length < 3) return notLegacy();
  const number = parseNumber(rest[2] ?? '');
  if (number === undefined) return { kind: 'not-legacy', reason: `"${rest[2] ?? ''}" is not a build number` };
  if (rest.length === 3) return { kind: 'build', builder, number };
  if (rest[3]?.toLowerCase() !== 'steps' || rest.length < 5) return notLegacy();
  const step = rest[4] ?? '';
  if (rest.length === 5) return { kind: 'step', builder, number, step };
  if (rest[5]?.toLowerCase() !== 'logs' || rest.length < 7 || rest.length > 8) return notLegacy();
  const log = rest[6] ?? '';
  if (rest.length === 8 && rest[7]?.toLowerCase() !== 'text') return notLegacy();
  return { kind: 'log', builder, number, step, log, text: rest.length === 8 };
}

function parseBuildId(rest: readonly string[]): LegacyRequest {
  const buildId = (rest[0] ?? '').toLowerCase();
  const shape = { kind: 'not-legacy', reason: 'build-id addresses look like /builds/<build id>/steps/<step>/logs/<log>' } as const;
  if (!isBuildId(buildId)) return rest.length === 0 ? shape : { kind: 'not-legacy', reason: `"${rest[0] ?? ''}" is not a build id` };
  if (rest.length === 1) return { kind: 'build-id', buildId };
  if (rest[1]?.toLowerCase() !== 'steps' || rest.length < 3) return shape;
  const step = rest[2] ?? '';
  if (rest.length === 3) return { kind: 'build-id', buildId, step };
  if (rest[3]?.toLowerCase() !== 'logs' || rest.length < 5 || rest.length > 6 || (rest.length === 6 && rest[5]?.toLowerCase() !== 'text')) return shape;
  return { kind: 'build-id', buildId, step, log: rest[4] ?? '' };
}

function parseJson(rest: readonly string[]): LegacyRequest {
  // /json/builders/<builder>/builds/<n>: the only JSON resource a static site can answer.
  if (rest[0]?.toLowerCase() !== 'builders' || rest.length !== 4 || rest[2]?.toLowerCase() !== 'builds') {
    return { kind: 'not-legacy', reason: 'the JSON form answered here is /json/builders/<builder>/builds/<number>' };
  }
  const builder = (rest[1] ?? '').toLowerCase();
  if (!BUILDER.test(builder)) return { kind: 'not-legacy', reason: `"${rest[1] ?? ''}" is not a builder name` };
  const number = parseNumber(rest[3] ?? '');
  if (number === undefined) return { kind: 'not-legacy', reason: `"${rest[3] ?? ''}" is not a build number` };
  return { kind: 'json-build', builder, number };
}

function parseNumber(text: string): number | undefined {
  if (!NUMBER.test(text) || text === '-0') return undefined;
  return Number(text);
}
