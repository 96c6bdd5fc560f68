import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from 'pino';
import { abortIsFinal } from './abort-is-final.ts';
import { ApiBudget } from './api-budget.ts';
import { wallClock, type ApiClock } from './api-clock.ts';
import { toGitHubError } from './github-error.ts';
import { honourRateLimits } from './honour-rate-limits.ts';

/** octokit with the thin layers portfarm relies on: retries (5xx, never of an aborted request) and rate-limit throttling. */
export const PortfarmOctokit = Octokit.plugin(abortIsFinal, retry, throttling);
export type GitHubOctokit = InstanceType<typeof PortfarmOctokit>;

export interface GitHubClientOptions {
  readonly appId: number;
  /** The App's private key (PEM text, PKCS#1 or PKCS#8), see `loadAppPrivateKey`. */
  readonly privateKey: string;
  /** `https://api.github.com`, or the double's URL. */
  readonly apiUrl: string;
  readonly owner: string;
  readonly repo: string;
  /** Looked up with `GET /repos/{owner}/{repo}/installation` when absent. */
  readonly installationId?: number;
  /** Retries of 5xx answers (default 3), backing off `retryBaseMs`·n² (default 1000 ms). */
  readonly retries?: number;
  readonly retryBaseMs?: number;
  /**
   * Spacing between mutating requests (default 1000 ms: GitHub's advice against secondary
   * rate limits). Tests and the benchmark against the double set 0.
   */
  readonly writeSpacingMs?: number;
  /** What rate-limit waits are measured on (default the wall clock; a benchmark gives the double's GitHub time). */
  readonly clock?: ApiClock;
  /** The longest rate-limit wait taken inside a request before failing it for the caller to retry (default 1000 ms). */
  readonly maxInlineRateLimitWaitMs?: number;
  readonly log: Logger;
}

export interface GitHubClients {
  /** Authenticated as the App (JWT): `/app/...` endpoints such as hook deliveries. */
  readonly app: GitHubOctokit;
  /** Authenticated as the installation on the ports repository (tokens refreshed by auth-app). */
  readonly installation: GitHubOctokit;
  /**
   * The installation again, with a write queue of its own: check publishing sends through it,
   * so a dispatch, cancel, JIT config or runner deletion never waits behind a check-run write.
   */
  readonly checks: GitHubOctokit;
  /** The installation's API budget, from every answer of `installation` and `checks`. */
  readonly budget: ApiBudget;
  readonly clock: ApiClock;
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  /** REST requests sent so far by both clients, retries included (for the API-calls-per-build figure). */
  readonly apiCalls: () => number;
}

/**
 * Builds the App and installation clients. Auth, retry and throttling are octokit plugins;
 * this only wires them, counts requests and logs rate-limit waits.
 */
export async function createGitHubClients(options: GitHubClientOptions, signal: AbortSignal): Promise<GitHubClients> {
  let calls = 0;
  const writeSpacing = options.writeSpacingMs ?? 1000;
  // One write queue per client (octokit's default group is process-wide and 1 s apart): dispatch's and check publishing's.
  const writeQueue = (): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: writeSpacing === 0 ? 10 : 1, minTime: writeSpacing });
  const write = writeQueue();
  const log = options.log;
  const clock = options.clock ?? wallClock;
  const budget = new ApiBudget();
  const make = (auth: Record<string, unknown>, spend: ApiBudget, writes = write): GitHubOctokit => {
    const octokit = new PortfarmOctokit({
      baseUrl: options.apiUrl.replace(/\/$/, ''),
      authStrategy: createAppAuth,
      auth,
      userAgent: 'portfarm',
      request: { signal },
      // `retries` belongs here, not in `request`: a per-request `retries` makes plugin-retry retry 4xx too.
      // 429 is a rate limit, waited as GitHub says (honour-rate-limits.ts), not retried blindly 1, 4, 9 s later.
      retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => { log.warn({ octokit: true }, message); },
        error: (message: string) => { log.error({ octokit: true }, message); },
      },
      // The throttling plugin keeps the write spacing; its waits are on the wall clock, so the refusals themselves go to honourRateLimits.
      throttle: { write: writes, onRateLimit: () => false, onSecondaryRateLimit: () => false },
    });
    octokit.hook.before('request', () => {
      calls += 1;
    });
    honourRateLimits(octokit, { budget: spend, clock, maxInlineWaitMs: options.maxInlineRateLimitWaitMs ?? 1000, retries: options.retries ?? 3, log });
    return octokit;
  };
  // App JWT calls have a budget of their own: they never pause the installation's.
  const app = make({ appId: options.appId, privateKey: options.privateKey }, new ApiBudget());
  let installationId = options.installationId;
  if (installationId === undefined) {
    try {
      const { data } = await app.rest.apps.getRepoInstallation({ owner: options.owner, repo: options.repo, request: { signal } });
      installationId = data.id;
    } catch (err) {
      throw toGitHubError(err, `looking up the App's installation on ${options.owner}/${options.repo}`);
    }
  }
  const installation = make({ appId: options.appId, privateKey: options.privateKey, installationId }, budget);
  const checks = make({ appId: options.appId, privateKey: options.privateKey, installationId }, budget, writeQueue());
  return { app, installation, checks, budget, clock, installationId, owner: options.owner, repo: options.repo, apiCalls: () => calls };
}
