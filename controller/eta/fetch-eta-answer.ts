import { describeFetchFailure } from '../tui/describe-fetch-failure.ts';
import { STATUS_TOKEN_ENV, statusHeaders } from '../tui/status-headers.ts';
import { etaAnswerSchema, type EtaAnswer } from './eta-answer.ts';

const TIMEOUT_MS = 10_000;

/**
 * Why `GET /api/eta` gave no answer. `refused`: the controller read the request and said no
 * (HTTP 400, e.g. a platform it does not build) — the asker's input to fix; otherwise the
 * controller could not be reached or read (down, a wrong URL, a missing token, another version).
 */
export class EtaFetchError extends Error {
  readonly refused: boolean;
  constructor(message: string, refused: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EtaFetchError';
    this.refused = refused;
  }
}

/**
 * One `GET /api/eta?port=P[&platform=Q]` with the status token when given, its answer checked
 * against the schema; what went wrong is an {@link EtaFetchError} naming the URL and the fix.
 * The one client of the estimate API: `portfarm eta` and the TUI's per-port pane both ask here.
 */
export async function fetchEtaAnswer(baseUrl: string, query: { readonly port: string; readonly platform?: string | undefined }, signal: AbortSignal, token?: string): Promise<EtaAnswer> {
  const params = new URLSearchParams({ port: query.port, ...(query.platform === undefined ? {} : { platform: query.platform }) });
  const url = `${baseUrl.replace(/\/+$/, '')}/api/eta?${params.toString()}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]), headers: statusHeaders('application/json', token) });
    text = await response.text();
  } catch (caught) {
    if (signal.aborted) throw caught;
    throw new EtaFetchError(describeFetchFailure(caught, url, TIMEOUT_MS).message, false, { cause: caught });
  }
  if (response.status === 400) {
    const error = /"error":"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
    throw new EtaFetchError(error === undefined ? `${url} refused the request (HTTP 400)` : (JSON.parse(`"${error}"`) as string), true);
  }
  if (!response.ok) {
    const hint = response.status === 401 ? `set ${STATUS_TOKEN_ENV} to the controller's status token` : response.status === 404 ? 'is the URL the portfarm controller, of a version with GET /api/eta?' : 'see the controller log';
    throw new EtaFetchError(`${url} answered HTTP ${String(response.status)}; ${hint}`, false);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (caught) {
    throw new EtaFetchError(`${url} did not answer JSON; is the URL the portfarm controller?`, false, { cause: caught });
  }
  const parsed = etaAnswerSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EtaFetchError(`${url} answered an ETA that does not match the schema at ${issue?.path.map(String).join('.') ?? '?'}: ${issue?.message ?? ''}; are the controller and this portfarm of different versions?`, false);
  }
  return parsed.data;
}
