import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { describeFetchFailure } from './describe-fetch-failure.ts';
import { parseStatusBody } from './parse-status-body.ts';
import { SseParser } from './sse-parser.ts';
import { StatusFetchError } from './status-fetch-error.ts';
import { statusHeaders } from './status-headers.ts';
import { statusUrl } from './status-url.ts';

const CONNECT_TIMEOUT_MS = 5000;

/**
 * Follows `GET /api/events` (Server-Sent Events, `event: status` carrying the snapshot) and
 * hands each snapshot to `onSnapshot`. Resolves `'unsupported'` when the controller has no
 * event stream (the caller then polls), `'ended'` when the stream closes or `signal` aborts;
 * rejects with a StatusFetchError when the connection fails or breaks.
 */
export async function followStatusEvents(
  baseUrl: string,
  signal: AbortSignal,
  onSnapshot: (snapshot: StatusSnapshot) => void,
  token?: string,
): Promise<'unsupported' | 'ended'> {
  const url = statusUrl(baseUrl, '/api/events');
  const connect = new AbortController();
  const timer = setTimeout(() => {
    connect.abort(new DOMException('connect timeout', 'TimeoutError'));
  }, CONNECT_TIMEOUT_MS);
  timer.unref();
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, connect.signal]), headers: statusHeaders('text/event-stream', token) });
  } catch (caught) {
    if (signal.aborted) return 'ended';
    throw describeFetchFailure(caught, url, CONNECT_TIMEOUT_MS);
  } finally {
    clearTimeout(timer);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || response.body === null) {
    await response.body?.cancel();
    if (response.status === 404 || response.status === 405 || response.status === 501 || (response.ok && !type.startsWith('text/event-stream'))) {
      return 'unsupported';
    }
    throw new StatusFetchError(url, `${url} answered HTTP ${response.status}`, 'see the controller log', { retryable: true });
  }
  const parser = new SseParser();
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      for (const event of parser.feed(decoder.decode(chunk, { stream: true }))) {
        if (event.event === 'status') onSnapshot(parseStatusBody(event.data, url));
      }
    }
  } catch (caught) {
    if (signal.aborted) return 'ended';
    if (caught instanceof StatusFetchError) throw caught;
    throw describeFetchFailure(caught, url, CONNECT_TIMEOUT_MS);
  }
  return 'ended';
}
