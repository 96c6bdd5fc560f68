import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { GithubApiStatus } from '../status/status-snapshot.ts';
import { budgetAlert, type ApiBudget } from './api-budget.ts';
import type { ApiClock } from './api-clock.ts';

export interface ApiBudgetStatusOptions {
  readonly budget: Pick<ApiBudget, 'snapshot'>;
  readonly clock: ApiClock;
  /** Check-run changes not yet sent. */
  readonly checksPending: () => number;
}

/** The budget as `/api/status` shows it (`githubApi`). */
export function githubApiStatus(options: ApiBudgetStatusOptions): GithubApiStatus {
  const now = options.clock.now();
  const s = options.budget.snapshot(now);
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return { limit: s.limit, remaining: s.remaining, resetAt: iso(s.resetAt), pausedUntil: iso(s.pausedUntil), rateLimited: s.rateLimited, checksPending: options.checksPending() };
}

/** The TUI's alert when less than 20 % of the hour is left, or GitHub asked for a pause; none otherwise. */
export function githubApiAlerts(options: ApiBudgetStatusOptions): string[] {
  const now = options.clock.now();
  const alert = budgetAlert(options.budget.snapshot(now), now);
  return alert === null ? [] : [alert];
}

/** `/metrics`: the budget's gauges, read when scraped. */
export function registerApiBudgetMetrics(registry: Registry, options: ApiBudgetStatusOptions): void {
  const snapshot = (): ReturnType<ApiBudget['snapshot']> => options.budget.snapshot(options.clock.now());
  const gauge = (name: string, help: string, read: () => number | null): void => {
    new Gauge({ name, help, registers: [registry], collect() { const v = read(); if (v !== null) this.set(v); } });
  };
  gauge('portfarm_github_api_limit', 'Requests per hour GitHub allows the installation (x-ratelimit-limit)', () => snapshot().limit);
  gauge('portfarm_github_api_remaining', 'Requests left in the hour (x-ratelimit-remaining)', () => snapshot().remaining);
  gauge('portfarm_github_api_reset_seconds', 'When the hour resets (x-ratelimit-reset, epoch seconds)', () => { const r = snapshot().resetAt; return r === null ? null : Math.round(r / 1000); });
  gauge('portfarm_github_api_paused_seconds', 'Seconds GitHub still asks for no requests (a rate limit)', () => { const p = snapshot().pausedUntil; return p === null ? 0 : Math.max(0, (p - options.clock.now()) / 1000); });
  gauge('portfarm_github_rate_limited_primary_total', 'Requests GitHub refused for the primary rate limit', () => snapshot().rateLimited.primary);
  gauge('portfarm_github_rate_limited_secondary_total', 'Requests GitHub refused for a secondary rate limit', () => snapshot().rateLimited.secondary);
  gauge('portfarm_checks_pending', 'Check-run changes not yet sent to GitHub', () => options.checksPending());
}
