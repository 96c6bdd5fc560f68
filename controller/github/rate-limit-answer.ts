/** A GitHub answer that refused a request for a rate limit, and how long GitHub says to wait. */
export interface RateLimitAnswer {
  readonly kind: 'primary' | 'secondary';
  /** Ms to wait before trying again (GitHub's `retry-after`, the primary window's reset, or its one-minute advice). */
  readonly waitMs: number;
  /** GitHub's own message, for the log and the error. */
  readonly message: string;
}

type Headers = Readonly<Record<string, string | number | undefined>>;

interface ErrorShape {
  readonly status?: unknown;
  readonly message?: unknown;
  readonly response?: { readonly headers?: Headers; readonly data?: unknown };
}

/**
 * Reads a failed request as GitHub's docs say ("Rate limits for the REST API"): a 403 or 429
 * with `retry-after` waits that many seconds; one with `x-ratelimit-remaining: 0` waits until
 * `x-ratelimit-reset`; one whose message names a secondary rate limit without either waits at
 * least a minute. Anything else is not a rate limit (undefined).
 */
export function rateLimitAnswerOf(error: unknown, nowMs: number): RateLimitAnswer | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as ErrorShape;
  if (shape.status !== 403 && shape.status !== 429) return undefined;
  const headers = shape.response?.headers ?? {};
  const data = shape.response?.data;
  const message = typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string' ? data.message : typeof shape.message === 'string' ? shape.message : '';
  const retryAfter = Number(headers['retry-after']);
  const secondary = /secondary rate limit/i.test(message);
  if (Number.isFinite(retryAfter) && headers['retry-after'] !== undefined) return { kind: secondary || String(headers['x-ratelimit-remaining']) !== '0' ? 'secondary' : 'primary', waitMs: Math.max(0, retryAfter) * 1000, message };
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    return { kind: 'primary', waitMs: Number.isFinite(reset) ? Math.max(0, reset * 1000 - nowMs) : 60_000, message };
  }
  if (secondary || shape.status === 429) return { kind: 'secondary', waitMs: 60_000, message };
  return undefined;
}
