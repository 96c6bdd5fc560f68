import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { describeFetchFailure } from './describe-fetch-failure.ts';
import { parseStatusBody } from './parse-status-body.ts';
import { StatusFetchError } from './status-fetch-error.ts';
import { STATUS_TOKEN_ENV, statusHeaders } from './status-headers.ts';
import { statusUrl } from './status-url.ts';

export const STATUS_TIMEOUT_MS = 5000;

/** One `GET /api/status` (with the status token when given), validated against the shared schema. */
export async function fetchStatus(baseUrl: string, signal: AbortSignal, token?: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<StatusSnapshot> {
  const url = statusUrl(baseUrl, '/api/status');
  let text: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]), headers: statusHeaders('application/json', token) });
    text = await response.text();
    if (!response.ok) {
      throw new StatusFetchError(url, `${url} answered HTTP ${response.status}`, response.status === 404 ? 'is --url the portfarm controller?' : response.status === 401 ? `set ${STATUS_TOKEN_ENV} to the controller's status token` : 'see the controller log', {
        retryable: response.status >= 500,
      });
    }
  } catch (caught) {
    if (caught instanceof StatusFetchError || signal.aborted) throw caught;
    throw describeFetchFailure(caught, url, timeoutMs);
  }
  return parseStatusBody(text, url);
}
