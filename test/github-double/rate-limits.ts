/**
 * GitHub's rate limits as the double enforces them (GitHub docs "Rate limits for the REST API",
 * "Actions limits"; /work/shared/reference/github-actions.md):
 *
 * - primary: requests per hour per installation (and per App for JWT calls), a fixed window
 *   from the window's first request; every answer carries `x-ratelimit-limit/remaining/used/
 *   reset/resource`; once spent, 403 or 429 with `x-ratelimit-remaining: 0` and no `retry-after`.
 * - secondary: concurrent requests; points per minute per endpoint (GET 1, writes 5);
 *   content-creating requests per minute and per hour. Answered 403 or 429 with `retry-after`
 *   and GitHub's "secondary rate limit" message. A refused request still counts against the
 *   primary limit (never friendlier than GitHub, which does not promise otherwise).
 * - workflow runs queued per 10 s per repository: a run over the limit is created and then
 *   fails (GitHub: "the workflow run is terminated and fails to complete").
 * - a self-hosted job queued longer than its queue time is cancelled.
 *
 * Time: limits are counted in GitHub time, which runs `timeScale` times faster than the wall
 * clock from the moment the limits are made, so a test compresses an hour into seconds. Every
 * header is in GitHub time (`x-ratelimit-reset` an epoch second of GitHub's clock, `retry-after`
 * GitHub seconds, rounded up as GitHub sends it): a client under a time scale must wait on the
 * same clock (`githubNow`), as the controller does with its injected clock.
 */

export interface RateLimitOptions {
  /** Primary requests per hour per installation (GitHub: 5,000 by default, up to 12,500 or 15,000). */
  readonly primaryPerHour?: number;
  readonly concurrent?: number;
  readonly pointsPerMinutePerEndpoint?: number;
  readonly contentPerMinute?: number;
  readonly contentPerHour?: number;
  /** Workflow runs queued per 10 s per repository. */
  readonly runsPer10Seconds?: number;
  /** How long a self-hosted job may wait for a runner before GitHub cancels it. */
  readonly jobQueueSeconds?: number;
  /** GitHub seconds per wall second (default 1; 3,600 makes an hour one second). */
  readonly timeScale?: number;
  /** Which status a refusal has: GitHub sends 403 or 429; `alternate` makes a client meet both. */
  readonly refusalStatus?: 403 | 429 | 'alternate';
  /** The wall clock in ms (default `Date.now`). */
  readonly clock?: () => number;
}

/** GitHub's documented values. */
export const GITHUB_LIMITS = {
  primaryPerHour: 5000,
  concurrent: 100,
  pointsPerMinutePerEndpoint: 900,
  contentPerMinute: 80,
  contentPerHour: 500,
  runsPer10Seconds: 500,
  jobQueueSeconds: 24 * 3600,
} as const;

/** What one request is, for the limits. */
export interface LimitedRequest {
  /** Whose primary budget it spends: `installation:<id>` or `app:<id>`. */
  readonly budget: string;
  readonly method: string;
  /** The endpoint (operation id) whose points it spends. */
  readonly endpoint: string;
  /** Creates content (a check run, a workflow dispatch): counted against 80/min and 500/h. */
  readonly contentCreating: boolean;
}

export interface Refusal {
  readonly status: 403 | 429;
  readonly kind: 'primary' | 'secondary';
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const RATE_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Timestamps (GitHub ms) of events within a sliding window, with their weight. */
class SlidingWindow {
  readonly #events: { at: number; weight: number }[] = [];
  #total = 0;
  readonly lengthMs: number;
  constructor(lengthMs: number) {
    this.lengthMs = lengthMs;
  }

  total(now: number): number {
    while (this.#events.length > 0 && (this.#events[0]?.at ?? now) <= now - this.lengthMs) this.#total -= this.#events.shift()?.weight ?? 0;
    return this.#total;
  }

  add(now: number, weight: number): void {
    this.#events.push({ at: now, weight });
    this.#total += weight;
  }

  /** GitHub ms until `needed` more fits under `limit`. */
  waitFor(now: number, needed: number, limit: number): number {
    let total = this.total(now);
    for (const event of this.#events) {
      if (total + needed <= limit) break;
      total -= event.weight;
      if (total + needed <= limit) return event.at + this.lengthMs - now;
    }
    return 0;
  }
}

export class RateLimits {
  readonly #limits: Required<Omit<RateLimitOptions, 'clock' | 'refusalStatus' | 'timeScale'>>;
  readonly #scale: number;
  readonly #clock: () => number;
  readonly #start: number;
  readonly #refusalStatus: 403 | 429 | 'alternate';
  readonly #primary = new Map<string, { windowStart: number; used: number }>();
  readonly #points = new Map<string, SlidingWindow>();
  readonly #contentMinute = new SlidingWindow(MINUTE);
  readonly #contentHour = new SlidingWindow(HOUR);
  readonly #runs = new SlidingWindow(10_000);
  readonly #queuedJobs = new Map<number, number>();
  #inFlight = 0;
  #refusals = 0;
  /** Refusals so far, by kind (for tests and benchmarks). */
  readonly refused = { primary: 0, secondary: 0, runsFailed: 0, jobsCancelled: 0 };

  constructor(options: RateLimitOptions = {}) {
    this.#limits = {
      primaryPerHour: options.primaryPerHour ?? GITHUB_LIMITS.primaryPerHour,
      concurrent: options.concurrent ?? GITHUB_LIMITS.concurrent,
      pointsPerMinutePerEndpoint: options.pointsPerMinutePerEndpoint ?? GITHUB_LIMITS.pointsPerMinutePerEndpoint,
      contentPerMinute: options.contentPerMinute ?? GITHUB_LIMITS.contentPerMinute,
      contentPerHour: options.contentPerHour ?? GITHUB_LIMITS.contentPerHour,
      runsPer10Seconds: options.runsPer10Seconds ?? GITHUB_LIMITS.runsPer10Seconds,
      jobQueueSeconds: options.jobQueueSeconds ?? GITHUB_LIMITS.jobQueueSeconds,
    };
    this.#scale = options.timeScale ?? 1;
    if (!(this.#scale > 0)) throw new Error(`timeScale ${String(options.timeScale)} must be a positive number of GitHub seconds per wall second`);
    this.#clock = options.clock ?? Date.now;
    this.#start = this.#clock();
    this.#refusalStatus = options.refusalStatus ?? 'alternate';
  }

  /** GitHub time in ms (epoch-based: equal to the wall clock when the limits were made). */
  githubNow(): number {
    return this.#start + (this.#clock() - this.#start) * this.#scale;
  }

  /** A request arrived: counts it as in flight; `release` when it was answered. */
  enter(): void {
    this.#inFlight += 1;
  }

  release(): void {
    this.#inFlight -= 1;
  }

  /** Admits (and counts) an authenticated request, or says how GitHub refuses it. */
  admit(request: LimitedRequest): Refusal | undefined {
    const now = this.githubNow();
    const primary = this.#window(request.budget, now);
    if (primary.used >= this.#limits.primaryPerHour) {
      this.refused.primary += 1;
      const id = request.budget.replace(/^[a-z]+:/, '');
      return this.#refuse('primary', `API rate limit exceeded for ${request.budget.startsWith('app:') ? 'app' : 'installation'} ID ${id}.`, this.headers(request.budget));
    }
    primary.used += 1;
    const points = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS' ? 1 : 5;
    const endpoint = this.#points.get(request.endpoint) ?? new SlidingWindow(MINUTE);
    this.#points.set(request.endpoint, endpoint);
    let waitMs = 0;
    if (this.#inFlight > this.#limits.concurrent) waitMs = 1000;
    else if (endpoint.total(now) + points > this.#limits.pointsPerMinutePerEndpoint) waitMs = endpoint.waitFor(now, points, this.#limits.pointsPerMinutePerEndpoint);
    else if (request.contentCreating && this.#contentMinute.total(now) + 1 > this.#limits.contentPerMinute) waitMs = this.#contentMinute.waitFor(now, 1, this.#limits.contentPerMinute);
    else if (request.contentCreating && this.#contentHour.total(now) + 1 > this.#limits.contentPerHour) waitMs = this.#contentHour.waitFor(now, 1, this.#limits.contentPerHour);
    if (waitMs > 0) {
      this.refused.secondary += 1;
      const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
      return this.#refuse('secondary', 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.', { ...this.headers(request.budget), 'retry-after': String(retryAfter) });
    }
    endpoint.add(now, points);
    if (request.contentCreating) {
      this.#contentMinute.add(now, 1);
      this.#contentHour.add(now, 1);
    }
    return undefined;
  }

  /** The `x-ratelimit-*` headers of an answer spending `budget`. */
  headers(budget: string): Record<string, string> {
    const window = this.#window(budget, this.githubNow());
    return {
      'x-ratelimit-limit': String(this.#limits.primaryPerHour),
      'x-ratelimit-remaining': String(Math.max(0, this.#limits.primaryPerHour - window.used)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-reset': String(Math.ceil((window.windowStart + HOUR) / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  /** A workflow run was queued in the repository: false when it is over the 10 s limit (GitHub fails it). */
  runQueued(): boolean {
    const now = this.githubNow();
    if (this.#runs.total(now) >= this.#limits.runsPer10Seconds) {
      this.refused.runsFailed += 1;
      return false;
    }
    this.#runs.add(now, 1);
    return true;
  }

  /** A self-hosted job started waiting for a runner. */
  jobQueued(jobId: number): void {
    this.#queuedJobs.set(jobId, this.githubNow());
  }

  /** Of the jobs `stillQueued` says wait, those past their queue time (forgotten once returned). */
  expiredJobs(stillQueued: (jobId: number) => boolean): number[] {
    const deadline = this.githubNow() - this.#limits.jobQueueSeconds * 1000;
    const expired: number[] = [];
    for (const [jobId, queuedAt] of this.#queuedJobs) {
      if (!stillQueued(jobId)) this.#queuedJobs.delete(jobId);
      else if (queuedAt <= deadline) {
        this.#queuedJobs.delete(jobId);
        expired.push(jobId);
      }
    }
    this.refused.jobsCancelled += expired.length;
    return expired;
  }

  #window(budget: string, now: number): { windowStart: number; used: number } {
    let window = this.#primary.get(budget);
    if (window === undefined || now >= window.windowStart + HOUR) {
      window = { windowStart: now, used: 0 };
      this.#primary.set(budget, window);
    }
    return window;
  }

  #refuse(kind: 'primary' | 'secondary', message: string, headers: Record<string, string>): Refusal {
    this.#refusals += 1;
    const status = this.#refusalStatus === 'alternate' ? (this.#refusals % 2 === 1 ? 403 : 429) : this.#refusalStatus;
    return { status, kind, message, headers };
  }
}


