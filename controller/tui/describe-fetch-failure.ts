import { coerceError } from '../errors/coerce-error.ts';
import { StatusFetchError } from './status-fetch-error.ts';

export const UNREACHABLE_HINT = 'start the controller (portfarm serve) or pass --url (default: controller.host/port in the config)';

/** A failed fetch() (refused, DNS, reset, timeout) → an error naming the URL and the low-level code, never a stack. */
export function describeFetchFailure(caught: unknown, url: string, timeoutMs: number): StatusFetchError {
  const error = coerceError(caught);
  if (error.name === 'TimeoutError') {
    return new StatusFetchError(url, `no answer from ${url} within ${timeoutMs / 1000}s`, UNREACHABLE_HINT, { retryable: true, cause: error });
  }
  let reason = error.message;
  for (let e: unknown = error.cause; e instanceof Error; e = e.cause) {
    const code = (e as Error & { code?: unknown }).code;
    reason = typeof code === 'string' ? code : e.message;
  }
  return new StatusFetchError(url, `cannot reach the controller at ${url} (${reason})`, UNREACHABLE_HINT, { retryable: true, cause: error });
}
