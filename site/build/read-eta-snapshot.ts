import { readFile } from 'node:fs/promises';
import { UserError } from '../../controller/errors/user-error.ts';
import { parseEtaSnapshot, type EtaSnapshot } from './eta-snapshot.ts';

export interface EtaSource {
  /** `--eta FILE`: a snapshot the controller answered (`GET /api/eta/snapshot`) saved to a file. */
  readonly file?: string | undefined;
  /** `--eta-url URL`: the controller's `GET /api/eta/snapshot`, asked now. */
  readonly url?: string | undefined;
  /** The controller's status token for `url`. */
  readonly token?: string | undefined;
  /** `--eta-live URL`: where people ask the live answer (`<controller>/api/eta/public`, open to anyone); default: beside `url`. */
  readonly live?: string | undefined;
  readonly signal?: AbortSignal;
}

/** A snapshot larger than this is refused: a full rebuild on ten platforms is ~100 MB. */
const MAX_BYTES = 512 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

/** The ETA input of `site build`, read and checked before anything is written; undefined when none was given. */
export async function readEtaSnapshot(source: EtaSource): Promise<{ readonly snapshot: EtaSnapshot; readonly live: string | undefined } | undefined> {
  if (source.file !== undefined && source.url !== undefined) throw new UserError('give --eta FILE or --eta-url URL, not both');
  const live = source.live === undefined ? undefined : webAddress(source.live, '--eta-live');
  if (source.file !== undefined) {
    let text: string;
    try {
      text = await readFile(source.file, 'utf8');
    } catch (caught) {
      throw new UserError(`--eta ${source.file}: cannot read it (${(caught as NodeJS.ErrnoException).code ?? (caught as Error).message}); give the file the controller's GET /api/eta/snapshot was saved to, or leave --eta out`);
    }
    return { snapshot: parseEtaSnapshot(text, `--eta ${source.file}`), live };
  }
  if (source.url === undefined) {
    if (live !== undefined) throw new UserError('--eta-live needs --eta FILE or --eta-url URL: without a snapshot the port pages show no pending builds to link from');
    return undefined;
  }
  const url = webAddress(source.url, '--eta-url');
  const signals = [AbortSignal.timeout(TIMEOUT_MS), ...(source.signal === undefined ? [] : [source.signal])];
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal: AbortSignal.any(signals), headers: { accept: 'application/json', ...(source.token === undefined ? {} : { authorization: `Bearer ${source.token}` }) } });
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_BYTES) throw new UserError(`--eta-url ${url} answered ${String(length)} bytes, more than ${String(MAX_BYTES)}; is it the controller's GET /api/eta/snapshot?`);
    text = await response.text();
  } catch (caught) {
    if (caught instanceof UserError) throw caught;
    throw new UserError(`--eta-url ${url}: cannot fetch it (${(caught as Error).message}); check the address and that the controller is up, or leave --eta-url out (the port pages then say no estimate is available)`, { cause: caught });
  }
  if (!response.ok) {
    const hint = response.status === 401 ? 'set PORTFARM_STATUS_TOKEN to the controller\'s status token' : 'is it the controller\'s GET /api/eta/snapshot?';
    throw new UserError(`--eta-url ${url} answered HTTP ${String(response.status)}; ${hint}`);
  }
  if (text.length > MAX_BYTES) throw new UserError(`--eta-url ${url} answered more than ${String(MAX_BYTES)} bytes; is it the controller's GET /api/eta/snapshot?`);
  return { snapshot: parseEtaSnapshot(text, `--eta-url ${url}`), live: live ?? liveBeside(url) };
}

function webAddress(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${flag} ${JSON.stringify(value)} is not a URL; give an http(s) address such as https://farm.example.org/api/eta/public`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`${flag} ${JSON.stringify(value)} is not an http(s) address; give one such as https://farm.example.org/api/eta/public`);
  if (url.username !== '' || url.password !== '') throw new UserError(`${flag} ${JSON.stringify(value)} carries a user name or password; give the token in PORTFARM_STATUS_TOKEN instead`);
  return url.href;
}

/**
 * `https://farm/api/eta/snapshot` → `https://farm/api/eta/public`, the answer anyone may ask
 * without the status token (the page's readers have none); another address gives no live link.
 */
function liveBeside(url: string): string | undefined {
  const at = new URL(url);
  if (!at.pathname.endsWith('/api/eta/snapshot')) return undefined;
  return `${at.origin}${at.pathname.slice(0, -'/snapshot'.length)}/public`;
}
