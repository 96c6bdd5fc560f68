/**
 * The watchdog's rules as plain functions: which leases are overdue, and how long to back off
 * before the next attempt. Time is passed in (ms since epoch), so tests and the benchmark drive
 * it with their own clock.
 */
export type WatchedPhase = 'cloning' | 'booting' | 'starting-runner' | 'runner-online' | 'warm';

export interface WatchdogDeadlines {
  /** clone requested → clone done (a copy-on-write clone takes seconds). */
  readonly cloneMs: number;
  /** VM started → reachable (IP + agent/SSH). */
  readonly bootMs: number;
  /** runner started in the VM → registration online (actions/runner#3621: some never come). */
  readonly runnerOnlineMs: number;
  /** runner online → job taken (`workflow_job in_progress`). */
  readonly jobTakenMs: number;
  /** a warm VM nobody claimed is destroyed after this. */
  readonly warmIdleMs: number;
  /**
   * a pull request's job (untrusted code, which may edit its own `timeout-minutes`) runs at most
   * this long on a farm VM; then the VM is destroyed and the build fails visibly.
   */
  readonly prJobMs: number;
}

export const DEFAULT_DEADLINES: WatchdogDeadlines = {
  cloneMs: 120_000,
  bootMs: 300_000,
  runnerOnlineMs: 180_000,
  jobTakenMs: 600_000,
  warmIdleMs: 1_800_000,
  // ports-pr.yml's build job allows 24 h (timeout-minutes: 1440): an unedited PR job is never cut short.
  prJobMs: 86_400_000,
};

export type OverdueReason = 'clone-too-slow' | 'vm-not-booting' | 'runner-not-online' | 'job-not-taken' | 'warm-vm-unused' | 'pr-job-too-long';

export interface WatchedLease {
  readonly key: string;
  readonly phase: WatchedPhase;
  /** When the lease entered `phase`. */
  readonly since: number;
}

export interface OverdueLease {
  readonly key: string;
  readonly reason: OverdueReason;
  readonly overdueMs: number;
}

const RULES: Readonly<Record<WatchedPhase, { readonly deadline: keyof WatchdogDeadlines; readonly reason: OverdueReason }>> = {
  cloning: { deadline: 'cloneMs', reason: 'clone-too-slow' },
  booting: { deadline: 'bootMs', reason: 'vm-not-booting' },
  'starting-runner': { deadline: 'runnerOnlineMs', reason: 'runner-not-online' },
  'runner-online': { deadline: 'jobTakenMs', reason: 'job-not-taken' },
  warm: { deadline: 'warmIdleMs', reason: 'warm-vm-unused' },
};

export function findOverdueLeases(leases: readonly WatchedLease[], now: number, deadlines: WatchdogDeadlines): OverdueLease[] {
  const overdue: OverdueLease[] = [];
  for (const lease of leases) {
    const rule = RULES[lease.phase];
    const overdueMs = now - lease.since - deadlines[rule.deadline];
    if (overdueMs >= 0) overdue.push({ key: lease.key, reason: rule.reason, overdueMs });
  }
  return overdue;
}

/** Pull-request jobs that have run `prJobMs` or longer since their runner took them. */
export function findOverduePrJobs(jobs: readonly { readonly key: string; readonly startedAt: number }[], now: number, deadlines: WatchdogDeadlines): OverdueLease[] {
  const overdue: OverdueLease[] = [];
  for (const job of jobs) {
    const overdueMs = now - job.startedAt - deadlines.prJobMs;
    if (overdueMs >= 0) overdue.push({ key: job.key, reason: 'pr-job-too-long', overdueMs });
  }
  return overdue;
}

/** When `phase` runs out, as a time (for the next watchdog wake-up). */
export function deadlineOf(lease: WatchedLease, deadlines: WatchdogDeadlines): number {
  return lease.since + deadlines[RULES[lease.phase].deadline];
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5_000, maxDelayMs: 60_000 };

/** After attempt `attempt` (1-based) failed: the delay before the next one, or undefined when the build must fail. */
export function nextRetryDelayMs(attempt: number, retryable: boolean, policy: RetryPolicy): number | undefined {
  if (!retryable || attempt >= policy.maxAttempts) return undefined;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}
