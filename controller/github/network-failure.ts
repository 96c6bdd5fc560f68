/**
 * A request that got no answer at all: DNS, a refused or reset connection, a timeout, TLS.
 * octokit reports these as a RequestError with status 500 and no response (it gives every
 * fetch failure that status), so without this they read as "GitHub answered 500": a GitHub
 * outage, when the farm's own network is what to check.
 */
export interface NetworkFailure {
  /** The system or undici code (`ENOTFOUND`, `ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`…), when one was given. */
  readonly code: string | null;
  /** What happened, in words (`DNS lookup failed`). */
  readonly reason: string;
}

const REASONS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate not accepted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not accepted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not accepted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not accepted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate not accepted',
};

/** The network failure behind `value` (an octokit error without a response, or fetch's own); null for an answer, an abort or anything else. */
export function networkFailureOf(value: unknown): NetworkFailure | null {
  if (!(value instanceof Error) || value.name === 'AbortError') return null;
  const shape = value as { readonly response?: unknown };
  const unanswered = (value.name === 'HttpError' && shape.response === undefined) || (value.name === 'TypeError' && value.message === 'fetch failed');
  if (!unanswered) return null;
  const code = findCode(value);
  if (code === null) {
    // An octokit error without a response and without a fetch failure under it is not the network's.
    return value.name === 'TypeError' || hasFetchFailure(value) ? { code: null, reason: 'no answer' } : null;
  }
  return { code, reason: REASONS[code] ?? 'no answer' };
}

function findCode(error: unknown, depth = 0): string | null {
  if (!(error instanceof Error) || depth > 8) return null;
  const code = (error as { readonly code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  // Happy eyeballs: each address tried is in `errors` (ECONNREFUSED on ::1 and 127.0.0.1).
  const errors = (error as { readonly errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const e of errors) { const found = findCode(e, depth + 1); if (found !== null) return found; }
  return findCode(error.cause, depth + 1);
}

function hasFetchFailure(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 8) return false;
  return (error.name === 'TypeError' && error.message === 'fetch failed') || hasFetchFailure(error.cause, depth + 1);
}
