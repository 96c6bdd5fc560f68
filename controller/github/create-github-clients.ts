import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from 'pino';
import { abortIsFinal } from './abort-is-final.ts';
import { toGitHubError } from './github-error.ts';

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
  readonly log: Logger;
}

export interface GitHubClients {
  /** Authenticated as the App (JWT): `/app/...` endpoints such as hook deliveries. */
  readonly app: GitHubOctokit;
  /** Authenticated as the installation on the ports repository (tokens refreshed by auth-app). */
  readonly installation: GitHubOctokit;
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
  // One write queue per client pair (octokit's default group is process-wide and 1 s apart).
  const write = new Bottleneck.Group({ maxConcurrent: writeSpacing === 0 ? 10 : 1, minTime: writeSpacing });
  const log = options.log;
  const make = (auth: Record<string, unknown>): GitHubOctokit => {
    const octokit = new PortfarmOctokit({
      baseUrl: options.apiUrl.replace(/\/$/, ''),
      authStrategy: createAppAuth,
      auth,
      userAgent: 'portfarm',
      request: { signal },
      // `retries` belongs here, not in `request`: a per-request `retries` makes plugin-retry retry 4xx too.
      retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => { log.warn({ octokit: true }, message); },
        error: (message: string) => { log.error({ octokit: true }, message); },
      },
      throttle: {
        write,
        onRateLimit: (retryAfter: number, opts: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warn({ retryAfter, method: opts.method, url: opts.url, retryCount }, 'GitHub rate limit reached; waiting');
          return retryCount < 2;
        },
        onSecondaryRateLimit: (retryAfter: number, opts: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warn({ retryAfter, method: opts.method, url: opts.url, retryCount }, 'GitHub secondary rate limit reached; waiting');
          return retryCount < 2;
        },
      },
    });
    octokit.hook.before('request', () => {
      calls += 1;
    });
    return octokit;
  };
  const app = make({ appId: options.appId, privateKey: options.privateKey });
  let installationId = options.installationId;
  if (installationId === undefined) {
    try {
      const { data } = await app.rest.apps.getRepoInstallation({ owner: options.owner, repo: options.repo, request: { signal } });
      installationId = data.id;
    } catch (err) {
      throw toGitHubError(err, `looking up the App's installation on ${options.owner}/${options.repo}`);
    }
  }
  const installation = make({ appId: options.appId, privateKey: options.privateKey, installationId });
  return { app, installation, installationId, owner: options.owner, repo: options.repo, apiCalls: () => calls };
}
