import { z } from 'zod';

/**
 * What `GET /api/status` answers and the TUI renders: one consistent snapshot of the farm.
 * The controller builds it; the TUI validates it with this same schema.
 */
export const SLOT_STATES = ['empty', 'cloning', 'booting', 'runner-online', 'running', 'tearing-down'] as const;
export const SUSPICIONS = ['idle-too-long', 'registration-without-vm', 'vm-without-registration'] as const;

const iso = z.iso.datetime({ offset: true });

export const slotSchema = z.strictObject({
  index: z.int().min(0),
  state: z.enum(SLOT_STATES),
  vmId: z.string().nullable(),
  buildId: z.string().nullable(),
  platform: z.string().nullable(),
  /** The port a builder builds; null for watchers and empty slots. */
  port: z.string().nullable(),
  /** When the slot entered `state`. */
  since: iso.nullable(),
  /** Image version the VM was cloned from. */
  image: z.string().nullable(),
});

export const hostSchema = z.strictObject({
  name: z.string(),
  address: z.string(),
  platforms: z.array(z.string()),
  maxVms: z.int().min(1).max(2),
  diskFreeGiB: z.number().nullable(),
  /** Why the host takes no VMs right now (disk short, unreachable), or null. */
  refusing: z.string().nullable(),
  slots: z.array(slotSchema),
});

export const runnerSchema = z.strictObject({
  id: z.int(),
  name: z.string(),
  buildId: z.string().nullable(),
  platform: z.string().nullable(),
  vmId: z.string().nullable(),
  status: z.enum(['online', 'offline']),
  busy: z.boolean(),
  registeredAt: iso,
  jobStartedAt: iso.nullable(),
  suspicious: z.enum(SUSPICIONS).nullable(),
});

export const queueEntrySchema = z.strictObject({
  buildId: z.string(),
  kind: z.enum(['watcher', 'builder', 'pr-watcher', 'pr-builder']),
  port: z.string().nullable(),
  portsRevision: z.string(),
  state: z.enum(['pending', 'dispatched', 'started']),
  enqueuedAt: iso,
  /** When it is expected to be done (20th percentile, median, 80th; docs/eta.md); null: unknown; absent: no ETA asked. */
  ready: z.strictObject({ low: iso, mid: iso, high: iso }).nullable().optional(),
});

export const queueSchema = z.strictObject({
  platform: z.string(),
  running: queueEntrySchema.nullable(),
  pending: z.strictObject({
    watchers: z.int().min(0),
    builders: z.int().min(0),
    pr: z.int().min(0),
    /** Builders the pending watchers are expected to add (ports changed + their dependents). */
    estimatedFromWatchers: z.int().min(0),
  }),
  next: z.array(queueEntrySchema).max(5),
  oldestWaitSeconds: z.number().min(0).nullable(),
  /** Runs allowed in flight at once (`platforms[].parallelBuilds`) and runs in flight now (`running` is the oldest). */
  lanes: z.int().min(1),
  inFlight: z.int().min(0),
  /** Builders held because a port of their dependency closure failed here: no VM, no mail, until it builds. */
  blocked: z.strictObject({
    total: z.int().min(0),
    /** Per failed port, most blocked first (at most 10). */
    byPort: z.array(z.strictObject({ port: z.string(), portsRevision: z.string(), count: z.int().min(1) })).max(10),
  }),
  /** Pending builders that wait for a port in flight or failed, and what each waits for (at most 5). */
  waiting: z.array(z.strictObject({ port: z.string(), waitsFor: z.string(), reason: z.enum(['blocked', 'running']) })).max(5),
});

export const failureSchema = z.strictObject({
  buildId: z.string(),
  port: z.string().nullable(),
  platform: z.string(),
  phase: z.string().nullable(),
  finishedAt: iso,
  logUrl: z.string().nullable(),
});

/** The controller's GitHub API budget (the installation's hour), and the check runs waiting for it. */
export const githubApiSchema = z.strictObject({
  limit: z.int().min(0).nullable(),
  remaining: z.int().min(0).nullable(),
  resetAt: iso.nullable(),
  /** Until when GitHub asked for no requests (a rate limit), or null. */
  pausedUntil: iso.nullable(),
  rateLimited: z.strictObject({ primary: z.int().min(0), secondary: z.int().min(0) }),
  /** Check-run changes not yet sent (they wait for the budget; dispatch does not). */
  checksPending: z.int().min(0),
});

export const statusSnapshotSchema = z.strictObject({
  generatedAt: iso,
  controller: z.strictObject({ version: z.string(), startedAt: iso, repo: z.string() }),
  hosts: z.array(hostSchema),
  runners: z.array(runnerSchema),
  queues: z.array(queueSchema),
  failures: z.array(failureSchema),
  /** Warnings an operator must act on (stale runner version in an image, host short of disk). */
  alerts: z.array(z.string()),
  /** Absent from controllers older than the budget tracking. */
  githubApi: githubApiSchema.optional(),
});

export type StatusSnapshot = z.infer<typeof statusSnapshotSchema>;
export type HostStatus = z.infer<typeof hostSchema>;
export type SlotStatus = z.infer<typeof slotSchema>;
export type RunnerStatus = z.infer<typeof runnerSchema>;
export type QueueStatus = z.infer<typeof queueSchema>;
export type FailureStatus = z.infer<typeof failureSchema>;
export type GithubApiStatus = z.infer<typeof githubApiSchema>;
