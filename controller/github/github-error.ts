import { coerceError } from '../errors/coerce-error.ts';
import type { EnvironmentTrouble } from '../errors/environment-trouble.ts';
import { networkFailureOf, type NetworkFailure } from './network-failure.ts';
import { rateLimitAnswerOf } from './rate-limit-answer.ts';

/**
 * A GitHub API call that failed, carrying the status and the request that failed (never the
 * token). `retryable` says whether the same call may succeed later (5xx, rate limits,
 * network); 4xx answers are permanent. Only the caller's entry point decides to retry.
 * `notProcessed` says GitHub certainly did nothing: the request was never sent (a pause GitHub
 * asked for), or GitHub refused it for a rate limit, and a refused request is not processed
 * ("Rate limits for the REST API"). A 5xx or a lost answer is not that: the write may have landed.
 */
export class GitHubError extends Error {
  readonly status: number;
  readonly request: { readonly method: string; readonly url: string };
  readonly retryable: boolean;
  readonly notProcessed: boolean;
  constructor(message: string, options: { status: number; method: string; url: string; retryable: boolean; notProcessed?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitHubError';
    this.status = options.status;
    this.request = { method: options.method, url: options.url };
    this.retryable = options.retryable;
    this.notProcessed = options.notProcessed ?? false;
  }
}

/**
 * A GitHub API call that got no answer (DNS, connection, TLS): environment trouble, retryable,
 * status 0 — never counted or logged as a 5xx from GitHub. The message names the API origin
 * and says what to check.
 */
export class GitHubUnreachableError extends GitHubError implements EnvironmentTrouble {
  readonly environmentTrouble = true;
  override readonly retryable = true;
  readonly failure: NetworkFailure;
  constructor(doing: string, failure: NetworkFailure, request: { readonly method: string; readonly url: string }, cause: unknown) {
    const code = failure.code === null ? '' : ` (${failure.code})`;
    super(`${doing}: cannot reach GitHub at ${originOf(request.url)}: ${failure.reason}${code}; check the network and github.apiUrl`, { status: 0, method: request.method, url: request.url, retryable: true, cause });
    this.name = 'GitHubUnreachableError';
    this.failure = failure;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

interface OctokitRequestErrorShape {
  readonly status?: unknown;
  readonly request?: { readonly method?: unknown; readonly url?: unknown };
  readonly response?: { readonly data?: unknown };
}

/** Whether a failure with this status may succeed when tried again later. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 403 || status === 408 || status === 429 || status >= 500;
}

/** Wraps whatever octokit threw as a GitHubError that says what portfarm was doing. */
export function toGitHubError(value: unknown, doing: string): GitHubError {
  if (value instanceof GitHubError) return value;
  const err = coerceError(value);
  const shape = err as OctokitRequestErrorShape;
  const status = typeof shape.status === 'number' ? shape.status : 0;
  const method = typeof shape.request?.method === 'string' ? shape.request.method : '?';
  const url = typeof shape.request?.url === 'string' ? shape.request.url : '?';
  // octokit gives a request that got no answer status 500: it is the network, not GitHub.
  const network = networkFailureOf(err);
  if (network !== null) return new GitHubUnreachableError(doing, network, { method, url }, err);
  const data = shape.response?.data;
  const said = typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string' ? data.message : err.message;
  const retryable = err.name === 'AbortError' ? false : isRetryableStatus(status);
  // A rate-limit refusal (403/429 as GitHub documents it) did nothing; its wait does not matter here.
  const notProcessed = rateLimitAnswerOf(err, 0) !== undefined;
  const hint =
    status === 401
      ? ' (check github.appId and the private key at github.privateKeyPath: GitHub refused the App credentials)'
      : status === 404
        ? ' (is the App installed on the repository, and does the workflow file exist on the default branch?)'
        : '';
  return new GitHubError(`${doing}: GitHub answered ${status === 0 ? 'nothing (network error)' : status} to ${method} ${url}: ${said}${hint}`, {
    status,
    method,
    url,
    retryable,
    notProcessed,
    cause: err,
  });
}

/**
 * Whether GitHub certainly did nothing with the request that failed, here or in any error it
 * wraps: never sent during a pause, or refused for a rate limit (GitHubError's `notProcessed`,
 * or octokit's own error for such a refusal).
 */
export function isNotProcessed(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    if ((e as { notProcessed?: unknown }).notProcessed === true || rateLimitAnswerOf(e, 0) !== undefined) return true;
  }
  return false;
}
