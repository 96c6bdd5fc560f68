import { SITE_MAP_VERSION, BUILDS_PER_SHARD, type MapShard, type MapStep, type PackedShard, type StoredBuild } from '../lookup/site-map.ts';
import { RESULT_LETTERS, expandTemplate } from '../lookup/unpack-shard.ts';

/**
 * A shard in columns, as `/map/<builder>/<k>.json` stores it (see `PackedShard`): what puts
 * 5,000,000 builds in GitHub Pages' 1 GB. `unpackShard` gives back exactly `shard`.
 */
export function packShard(shard: MapShard): PackedShard {
  const numbers = Object.keys(shard.builds).map(Number).sort((a, b) => a - b);
  const builds = numbers.map((n) => shard.builds[String(n)] as StoredBuild);
  const template = urlTemplate(numbers, builds);

  const runs: number[] = [];
  let end = shard.shard * BUILDS_PER_SHARD;
  for (const n of numbers) {
    if (runs.length > 0 && n === end) runs[runs.length - 1] = (runs.at(-1) ?? 0) + 1;
    else runs.push(n - end, 1);
    end = n + 1;
  }

  const port: (string | null)[] = [];
  let result = '';
  const fin: (number | null)[] = [];
  const oddFin: Record<string, string> = {};
  const took: (number | null)[] = [];
  const watcher: (number | null | readonly [string, number])[] = [];
  const revision: (number | null)[] = [];
  const platform: Record<string, string> = {};
  const failedStep: Record<string, string> = {};
  const urls: Record<string, string> = {};
  const steps: (number | null | readonly MapStep[])[] = [];
  let lastFin = 0;
  let lastWatcher = 0;
  for (const [i, b] of builds.entries()) {
    const n = numbers[i] ?? 0;
    port.push(b.port ?? null);
    result += b.result === undefined ? '-' : (RESULT_LETTERS[b.result]);
    const ms = b.finishedAt === undefined ? Number.NaN : Date.parse(b.finishedAt);
    if (Number.isNaN(ms)) fin.push(null);
    else {
      fin.push(ms - lastFin);
      lastFin = ms;
    }
    if (b.finishedAt !== undefined && (Number.isNaN(ms) || !isIsoString(b.finishedAt))) oddFin[i] = b.finishedAt;
    took.push(b.took ?? null);
    if (typeof b.watcher === 'number') {
      watcher.push(b.watcher - lastWatcher);
      lastWatcher = b.watcher;
    } else watcher.push(b.watcher ?? null);
    revision.push(b.revision ?? null);
    if (b.platform !== undefined) platform[i] = b.platform;
    if (b.failedStep !== undefined) failedStep[i] = b.failedStep;
    if (template === undefined || expandTemplate(template, n) !== b.url) urls[i] = b.url;
    steps.push(b.steps ?? null);
  }
  const urlsEnd = commonEnd(Object.values(urls));
  if (urlsEnd !== '') for (const [i, url] of Object.entries(urls)) urls[i] = url.slice(0, url.length - urlsEnd.length);
  const some = (column: readonly unknown[]): boolean => column.some((value) => value !== null);
  const any = (record: Record<string, string>): boolean => Object.keys(record).length > 0;
  const oneSet = steps.length > 0 && typeof steps[0] === 'number' && steps.every((s) => s === steps[0]) ? steps[0] : undefined;
  return {
    v: SITE_MAP_VERSION,
    builder: shard.builder,
    shard: shard.shard,
    ...(shard.prefix === undefined ? {} : { prefix: shard.prefix }),
    ...(template === undefined ? {} : { url: template }),
    ...(shard.stepSets === undefined ? {} : { stepSets: shard.stepSets }),
    ...(shard.revisions === undefined ? {} : { revisions: shard.revisions }),
    runs,
    ...(some(port) ? { port } : {}),
    ...(/[^-]/.test(result) ? { result } : {}),
    ...(some(fin) ? { fin } : {}),
    ...(any(oddFin) ? { oddFin } : {}),
    ...(some(took) ? { took } : {}),
    ...(some(watcher) ? { watcher } : {}),
    ...(some(revision) ? { revision } : {}),
    ...(any(platform) ? { platform } : {}),
    ...(any(failedStep) ? { failedStep } : {}),
    ...(any(urls) ? { urls } : {}),
    ...(urlsEnd === '' ? {} : { urlsEnd }),
    ...(oneSet !== undefined ? { steps: oneSet } : some(steps) ? { steps } : {}),
  };
}

/**
 * Whether `text` is what `toISOString` writes for the time it names (so a shard can keep the time
 * as milliseconds): `YYYY-MM-DDTHH:mm:ss.sssZ` with every field in range. The same answer as
 * `new Date(Date.parse(text)).toISOString() === text` for a time that parses, without a `Date`
 * and a string made per build.
 */
export function isIsoString(text: string): boolean {
  if (text.length !== 24 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || digits(text, 20, 3) < 0) return false;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** The decimal number of `length` ASCII digits at `at`; -1 when one of them is not a digit. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i += 1) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The URL shape most builds of the shard follow, their number replaced by `{n}` (`ports-15_arm64-builder/{n}/`):
 * such builds store no URL. Undefined when no two builds share one.
 */
function urlTemplate(numbers: readonly number[], builds: readonly StoredBuild[]): string | undefined {
  const counts = new Map<string, number>();
  for (const [i, b] of builds.entries()) {
    const n = String(numbers[i]);
    const at = b.url.lastIndexOf(n);
    if (at === -1 || b.url.includes('{n}')) continue;
    const candidate = `${b.url.slice(0, at)}{n}${b.url.slice(at + n.length)}`;
    counts.set(candidate, (counts.get(candidate) ?? 0) + 1);
  }
  let best: string | undefined;
  let most = 1;
  for (const [candidate, count] of counts) {
    if (count > most) {
      best = candidate;
      most = count;
    }
  }
  return best;
}

/** The end all of `texts` share, when there are two or more. */
function commonEnd(texts: readonly string[]): string {
  const [first, ...rest] = texts;
  if (first === undefined || rest.length === 0) return '';
  let length = first.length;
  for (const text of rest) {
    let k = 0;
    while (k < length && k < text.length && text.charCodeAt(text.length - 1 - k) === first.charCodeAt(first.length - 1 - k)) k += 1;
    length = k;
  }
  return first.slice(first.length - length);
}
