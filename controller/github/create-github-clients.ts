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
import { paceWrites } from './pace-writes.ts';
import { RequestSlots, useRequestSlots } from './request-slots.ts';
import type { WriteClass, WriteLimits } from './write-limits.ts';
import { WritePacer } from './write-pacer.ts';

/** octokit with the thin layers portfarm relies on: retries (5xx, never of an aborted request), and a fixed write spacing when one is asked for. */
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
   * Writes are paced to GitHub's documented secondary limits (write-pacer.ts), dispatch first,
   * with no fixed spacing. 0 turns the pacing off (tests and the demo against a double without
   * limits); a positive value also keeps each client's writes that far apart.
   */
  readonly writeSpacingMs?: number;
  /** The pacer's limits (default GitHub's with a margin, `GITHUB_WRITE_LIMITS`). */
  readonly writeLimits?: WriteLimits;
  /** What rate-limit waits are measured on (default the wall clock; a benchmark gives the double's GitHub time). */
  readonly clock?: ApiClock;
  /** The longest rate-limit wait taken inside a request before failing it for the caller to retry (default 1000 ms). */
  readonly maxInlineRateLimitWaitMs?: number;
  /** What sends each HTTP request (default the global `fetch`); a benchmark wraps it to time requests on the wire. */
  readonly fetch?: typeof globalThis.fetch;
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
  /** The shared write pacer (null when `writeSpacingMs` is 0): how long a dispatch would wait for GitHub's write limits. */
  readonly writes: WritePacer | null;
  /** REST requests sent so far by both clients, retries included (for the API-calls-per-build figure). */
  readonly apiCalls: () => number;
}

/**
 * Builds the App and installation clients. Auth and retry are octokit plugins; each client's
 * requests go through, outermost first: `honourRateLimits` (GitHub's pauses and refusals), the
 * shared write pacer (GitHub's secondary limits on writes, dispatch first), the shared request
 * slots (at most 50 in flight), then octokit.
 */
export async function createGitHubClients(options: GitHubClientOptions, signal: AbortSignal): Promise<GitHubClients> {
  let calls = 0;
  const writeSpacing = options.writeSpacingMs ?? 0;
  // A fixed spacing asked for is octokit's throttler, a write queue per client (its default group is process-wide and 1 s
  // apart). Without one the throttler is off: GitHub's limits are kept by the pacer, which all clients share, and the
  // request slots; refusals by honourRateLimits either way.
  const writeQueue = (): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacing });
  const slots = new RequestSlots(50);
  const write = writeQueue();
  const log = options.log;
  const clock = options.clock ?? wallClock;
  const pacer = options.writeSpacingMs === 0 ? null : new WritePacer({ clock, ...(options.writeLimits === undefined ? {} : { limits: options.writeLimits }) });
  const budget = new ApiBudget();
  const make = (auth: Record<string, unknown>, spend: ApiBudget, writeClass: WriteClass, writes = write): GitHubOctokit => {
    const octokit = new PortfarmOctokit({
      baseUrl: options.apiUrl.replace(/\/$/, ''),
      authStrategy: createAppAuth,
      auth,
      userAgent: 'portfarm',
      request: options.fetch === undefined ? { signal } : { signal, fetch: options.fetch },
      // `retries` belongs here, not in `request`: a per-request `retries` makes plugin-retry retry 4xx too.
      // 429 is a rate limit, waited as GitHub says (honour-rate-limits.ts), not retried blindly 1, 4, 9 s later.
      retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => { log.warn({ octokit: true }, message); },
        error: (message: string) => { log.error({ octokit: true }, message); },
      },
      // The throttling plugin keeps a fixed write spacing when asked; its waits are on the wall clock, so the refusals themselves go to honourRateLimits.
      throttle: { enabled: writeSpacing > 0, write: writes, onRateLimit: () => false, onSecondaryRateLimit: () => false },
    });
    octokit.hook.before('request', () => {
      calls += 1;
    });
    useRequestSlots(octokit, slots);
    if (pacer !== null) paceWrites(octokit, pacer, writeClass);
    honourRateLimits(octokit, { budget: spend, clock, maxInlineWaitMs: options.maxInlineRateLimitWaitMs ?? 1000, retries: options.retries ?? 3, log });
    return octokit;
  };
  // App JWT calls have a budget of their own: they never pause the installation's.
  const app = make({ appId: options.appId, privateKey: options.privateKey }, new ApiBudget(), 'other');
  let installationId = options.installationId;
  if (installationId === undefined) {
    try {
      const { data } = await app.rest.apps.getRepoInstallation({ owner: options.owner, repo: options.repo, request: { signal } });
      installationId = data.id;
    } catch (err) {
      throw toGitHubError(err, `looking up the App's installation on ${options.owner}/${options.repo}`);
    }
  }
  // Dispatch, cancel, JIT config and runner deletion go through `installation`: their writes go first.
  const installation = make({ appId: options.appId, privateKey: options.privateKey, installationId }, budget, 'dispatch');
  const checks = make({ appId: options.appId, privateKey: options.privateKey, installationId }, budget, 'other', writeQueue());
  return { app, installation, checks, budget, writes: pacer, clock, installationId, owner: options.owner, repo: options.repo, apiCalls: () => calls };
}
