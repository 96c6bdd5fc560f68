import { etaAnswerSchema, type EtaAnswer } from '../eta/eta-answer.ts';
import { describeFetchFailure } from './describe-fetch-failure.ts';
import { STATUS_TOKEN_ENV, statusHeaders } from './status-headers.ts';

const TIMEOUT_MS = 10_000;

/** One `GET /api/eta?port=P` (with the status token when given), validated; an error says what to fix. */
export async function fetchPortEta(baseUrl: string, port: string, signal: AbortSignal, token?: string): Promise<EtaAnswer> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/eta?${new URLSearchParams({ port }).toString()}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]), headers: statusHeaders('application/json', token) });
    text = await response.text();
  } catch (caught) {
    if (signal.aborted) throw caught;
    const failure = describeFetchFailure(caught, url, TIMEOUT_MS);
    throw new Error(`${failure.problem}; ${failure.hint}`, { cause: caught });
  }
  if (!response.ok) {
    const hint = response.status === 401 ? `set ${STATUS_TOKEN_ENV} to the controller's status token` : response.status === 404 ? 'the controller is older than the ETA (no GET /api/eta)' : 'see the controller log';
    throw new Error(`${url} answered HTTP ${String(response.status)}; ${hint}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (caught) {
    throw new Error(`${url} did not answer JSON; is --url the portfarm controller?`, { cause: caught });
  }
  const parsed = etaAnswerSchema.safeParse(body);
  if (!parsed.success) throw new Error(`${url} answered an ETA that does not match the schema; controller and TUI versions differ?`);
  return parsed.data;
}
