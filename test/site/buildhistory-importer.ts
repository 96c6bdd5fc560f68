/**
 * What ports.macports.org does to import build history from build.macports.org, line by line
 * after macports/macports-webapp `app/buildhistory/models.py` (`BuildHistory.populate`), so the
 * site is tested against the reader it must keep serving: plain GETs that follow HTTP redirects
 * (Python's urllib), no JavaScript, no HTML; an HTTP error is `{}` for JSON and `[]` for the
 * files list; a body that is not JSON, a missing property or a null time is an exception that
 * stops the import, as `json.loads`, `properties['portname']` and `float(None)` raise there.
 */

/** `BUILDS_FETCHED_COUNT` in the web app's config.py: a first import goes this far back. */
export const BUILDS_FETCHED_COUNT = 5;

export interface ImportedBuild {
  readonly builder: string;
  readonly buildnr: number;
  readonly name: string;
  readonly status: string;
  readonly url: string;
  readonly watcherId: number;
  readonly watcherUrl: string;
  /** `str(datetime.fromtimestamp(int(float(time_start)), tz=utc))`: `2026-08-17 21:12:36+00:00`. */
  readonly timeStart: string;
  /** `str(timedelta(seconds=int(float(time_build))))`: `0:10:26`, or null when the build time was -1. */
  readonly buildtime: string | null;
  /** Each line of the files log as the importer stores it (decoded, newline kept). */
  readonly files: readonly string[];
}

/** The web app's database: its builders (`display_name` such as `15_arm64`) and the builds it has. */
export interface ImporterDb {
  readonly builders: readonly string[];
  readonly builds: ImportedBuild[];
}

class UrlError extends Error {}

/** `urllib.request.urlopen`: follows redirects, raises on an HTTP error status. */
async function urlopen(url: string): Promise<Buffer> {
  const response = await fetch(url, { redirect: 'follow' });
  if (response.status >= 400) throw new UrlError(`HTTP Error ${response.status}: ${url}`);
  return Buffer.from(await response.arrayBuffer());
}

/** `BuildHistory.populate()`; the site is `BUILDBOT_URL_PREFIX`. */
export async function populate(db: ImporterDb, urlPrefix: string): Promise<void> {
  const getUrlJson = (builderName: string, buildNumber: number): string => `${urlPrefix}/json/builders/ports-${builderName}-builder/builds/${buildNumber}`;
  const getUrlBuild = (builderName: string, buildNumber: number): string => `${urlPrefix}/builders/ports-${builderName}-builder/builds/${buildNumber}`;
  const getFilesUrl = (builderName: string, buildNumber: number): string =>
    `${urlPrefix}/builders/ports-${builderName}-builder/builds/${buildNumber}/steps/install-port/logs/files/text`;

  const getDataFromUrl = async (url: string): Promise<Record<string, unknown>> => {
    let body: Buffer;
    try {
      body = await urlopen(url);
    } catch (caught) {
      if (caught instanceof UrlError) return {};
      throw caught;
    }
    // json.loads(u.read().decode()): an HTML page here is a ValueError the importer does not catch.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as Record<string, unknown>;
  };

  const getTextFromUrl = async (url: string): Promise<string[]> => {
    try {
      const body = (await urlopen(url)).toString('utf8');
      // Iterating an HTTP response yields its lines, each with its newline.
      return body === '' ? [] : (body.match(/[^\n]*\n|[^\n]+$/g) ?? []);
    } catch (caught) {
      if (caught instanceof UrlError) return [];
      throw caught;
    }
  };

  const getBuildProperties = (array: Record<string, unknown>): Record<string, unknown> => {
    const properties: Record<string, unknown> = {};
    for (const prop of array.properties as unknown[][]) properties[String(prop[0])] = prop[1];
    return properties;
  };

  const returnSummary = (builderName: string, buildNumber: number, buildData: Record<string, unknown>) => {
    const properties = getBuildProperties(buildData);
    const portName = required(properties, 'portname');
    const status = (buildData.text as unknown[]).join(' ');
    const times = buildData.times as unknown[];
    const timeStart = times[0];
    const timeBuild = float(times[1]) - float(times[0]);
    const triggeredBy = String(required(properties, 'triggered_by'));
    return {
      name: String(portName),
      url: getUrlBuild(builderName, buildNumber),
      watcherId: integerField(triggeredBy.split('/')[6]),
      watcherUrl: triggeredBy,
      status,
      builder: builderName,
      buildnr: buildNumber,
      timeStart: pythonDatetime(Math.trunc(float(timeStart))),
      buildtime: timeBuild !== -1 ? pythonTimedelta(Math.trunc(timeBuild)) : null,
    };
  };

  for (const builder of db.builders) {
    // fetch the last build first in order to figure out its number
    const lastBuildData = await getDataFromUrl(getUrlJson(builder, -1));
    if (Object.keys(lastBuildData).length === 0) continue;
    const lastBuildNumber = integerField(lastBuildData.number);
    const inDb = db.builds.filter((b) => b.builder === builder).sort((a, b) => b.buildnr - a.buildnr)[0];
    const buildInDatabase = inDb !== undefined ? inDb.buildnr + 1 : lastBuildNumber - BUILDS_FETCHED_COUNT;
    for (let buildNumber = buildInDatabase; buildNumber < lastBuildNumber; buildNumber += 1) {
      const buildData = await getDataFromUrl(getUrlJson(builder, buildNumber));
      const installedFiles = await getTextFromUrl(getFilesUrl(builder, buildNumber));
      if (Object.keys(buildData).length === 0) break;
      const summary = returnSummary(builder, buildNumber, buildData);
      db.builds.push({ ...summary, files: installedFiles });
    }
  }
}

function required(properties: Record<string, unknown>, key: string): unknown {
  if (!(key in properties)) throw new Error(`KeyError: '${key}'`);
  return properties[key];
}

/** Python's `float(x)` of a JSON value: numbers and numeric strings; None is a TypeError. */
function float(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new TypeError(`float() argument must be a string or a real number, not '${value === null ? 'NoneType' : typeof value}'`);
}

/** Django's IntegerField: `int(value)` of a string or number, else a ValueError. */
function integerField(value: unknown): number {
  const text = String(value);
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new Error(`ValueError: invalid literal for int() with base 10: '${text}'`);
  return Number(text);
}

function pythonDatetime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

function pythonTimedelta(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const clock = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days === 0 ? clock : `${days} day${days === 1 ? '' : 's'}, ${clock}`;
}
