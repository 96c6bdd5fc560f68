import type { Logger } from 'pino';
import type { BackendName, PlatformConfig } from '../config/config-schema.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import type { BuildId } from '../model/build-id.ts';
import type { HostRef, VmBackend } from './backends/vm-backend.ts';
import type { RecordedRun } from './job-identity.ts';
import { AttemptFailure, enterPhase, type Lease, type LeasePhase } from './lease.ts';
import type { LiveVm } from './plan-reconcile.ts';
import { DEFAULT_RUNNER_COMMAND } from './runner-command.ts';
import type { HostAdmissionUpdate, RunnerFailure, RunnerManagerOptions, RunnerTaken } from './runner-manager-options.ts';
import { RunnerMetrics } from './runner-metrics.ts';
import type { RegisteredRunner, RunnerRegistry } from './runner-registry.ts';
import { SlotAllocator } from './slot-allocator.ts';
import type { SlotHost } from './slot-table.ts';
import type { WorkflowJobEvent } from '../model/workflow-job-event.ts';
import { UnmatchedRegistrations } from './unmatched-registrations.ts';
import { DEFAULT_DEADLINES, DEFAULT_RETRY, type RetryPolicy, type WatchdogDeadlines } from './watchdog-deadlines.ts';

/** A configured host as the manager sees it: its cap, the platforms and backends it serves. */
export interface ManagedHost extends HostRef {
  readonly maxVms: number;
  readonly platforms: readonly string[];
  readonly backends: readonly BackendName[];
}

/**
 * The runner manager's state and settings, shared by the files that each handle one part of a
 * lease's life (slot and clone, boot and register, run, teardown, adopt/reconcile, status).
 */
export interface ManagerContext {
  readonly platforms: ReadonlyMap<string, PlatformConfig>;
  readonly backends: Readonly<Partial<Record<BackendName, VmBackend>>>;
  readonly registry: RunnerRegistry;
  readonly log: Logger;
  readonly deadlines: WatchdogDeadlines;
  readonly retry: RetryPolicy;
  readonly runnerGroupId: number;
  readonly pullRequestRunnerGroupId: number;
  readonly workFolder: string;
  readonly runnerCommand: readonly string[];
  readonly recordedRunOf: (buildId: BuildId) => RecordedRun | null;
  readonly rejections: EventRejections;
  readonly now: () => number;
  readonly portOf: (buildId: BuildId) => string | null;
  readonly onBuildFailed: (failure: RunnerFailure) => void;
  readonly onRunnerTaken: (taken: RunnerTaken) => void;
  readonly imageFor: (platform: PlatformConfig, buildId: BuildId) => string;
  readonly beforeDestroy: RunnerManagerOptions['beforeDestroy'];
  readonly conclusionWaitMs: number;
  readonly metrics: RunnerMetrics;
  readonly admission: Map<string, HostAdmissionUpdate>;
  /** The image each listed VM was cloned from, when its backend says (an adopted VM keeps it for image GC). */
  readonly listedImages: Map<string, string>;
  readonly slots: SlotAllocator;
  readonly hosts: readonly ManagedHost[];
  readonly leases: Map<BuildId, Lease>;
  /** Builds whose job completed or went elsewhere: a late or repeated `queued` must not start a VM (terraform-aws-github-runner #2306). */
  readonly finishedBuilds: Set<BuildId>;
  readonly shutdown: AbortController;
  /**
   * `queued` events refused only because their build's run was not recorded yet (GitHub can
   * deliver a job's `queued` before the dispatch call that created its run has returned): judged
   * again by `runRecorded` once it is. A few per build, a bounded number of builds.
   */
  readonly heldQueued: Map<BuildId, WorkflowJobEvent[]>;
  registrations: readonly RegisteredRunner[];
  registrationsSeen: Map<string, number>;
  /** Registrations listed without a VM: flagged only once they outlive the list's lag. */
  readonly unmatched: UnmatchedRegistrations;
  lastVms: readonly LiveVm[];
}

const RECENTLY_FINISHED_LIMIT = 10_000;

/** One pull request's run holds at most this many VMs across the farm unless configured (`runners.prVmsPerRun`). */
export const DEFAULT_PR_VMS_PER_RUN = 2;

/** The context for `options`; `vmsByState` feeds the VM gauge (called only when metrics are read). */
export function createManagerContext(
  options: RunnerManagerOptions,
  vmsByState: () => readonly { readonly host: string; readonly state: string; readonly count: number }[],
): ManagerContext {
  for (const platform of options.platforms) {
    if (options.backends[platform.backend] === undefined) {
      throw new Error(`platform "${platform.name}" uses backend "${platform.backend}" but no such backend was given; pass backends.${platform.backend}`);
    }
  }
  const hosts = new Map<string, { name: string; address: string; maxVms: number; platforms: string[]; backends: BackendName[] }>();
  for (const platform of options.platforms) {
    for (const host of platform.hosts) {
      const entry = hosts.get(host.name) ?? { name: host.name, address: host.address, maxVms: host.maxVms, platforms: [], backends: [] };
      entry.platforms.push(platform.name);
      if (!entry.backends.includes(platform.backend)) entry.backends.push(platform.backend);
      hosts.set(host.name, entry);
    }
  }
  const managed = [...hosts.values()];
  return {
    platforms: new Map(options.platforms.map((p) => [p.name, p])),
    backends: options.backends,
    registry: options.registry,
    log: options.logger,
    deadlines: { ...DEFAULT_DEADLINES, ...options.deadlines },
    retry: { ...DEFAULT_RETRY, ...options.retry },
    runnerGroupId: options.runnerGroupId ?? 1,
    pullRequestRunnerGroupId: options.pullRequestRunnerGroupId ?? options.runnerGroupId ?? 1,
    workFolder: options.workFolder ?? '_work',
    runnerCommand: options.runnerCommand ?? DEFAULT_RUNNER_COMMAND,
    recordedRunOf: options.recordedRunOf,
    rejections: options.rejections,
    now: options.now ?? Date.now,
    portOf: options.portOf ?? (() => null),
    onBuildFailed: options.onBuildFailed ?? (() => undefined),
    onRunnerTaken: options.onRunnerTaken ?? (() => undefined),
    imageFor: options.imageFor ?? ((platform) => platform.image),
    beforeDestroy: options.beforeDestroy,
    conclusionWaitMs: options.conclusionWaitMs ?? 15_000,
    metrics: new RunnerMetrics({ vmsByState }),
    admission: new Map(),
    listedImages: new Map(),
    slots: new SlotAllocator(
      managed.map((h): SlotHost => ({ name: h.name, maxVms: h.maxVms, platforms: h.platforms })),
      { prVmsPerRun: options.prVmsPerRun ?? DEFAULT_PR_VMS_PER_RUN },
    ),
    hosts: managed,
    leases: new Map(),
    finishedBuilds: new Set(),
    heldQueued: new Map(),
    shutdown: new AbortController(),
    registrations: [],
    registrationsSeen: new Map(),
    unmatched: new UnmatchedRegistrations(),
    lastVms: [],
  };
}

export function backendOf(ctx: ManagerContext, name: BackendName): VmBackend {
  const backend = ctx.backends[name];
  if (backend === undefined) throw new Error(`backend "${name}" is not configured`);
  return backend;
}

/** Whether stop() has begun (a function, so a check after an await is not narrowed away by one before it). */
export function isShuttingDown(ctx: ManagerContext): boolean {
  return ctx.shutdown.signal.aborted;
}

export function enter(ctx: ManagerContext, lease: Lease, phase: LeasePhase): void {
  enterPhase(lease, phase, ctx.now());
}

/** The build's job is over or went elsewhere: a late `queued` for it starts no VM. */
export function markBuildFinished(ctx: ManagerContext, buildId: BuildId): void {
  ctx.finishedBuilds.add(buildId);
  if (ctx.finishedBuilds.size <= RECENTLY_FINISHED_LIMIT) return;
  const oldest = ctx.finishedBuilds.values().next();
  if (oldest.done !== true) ctx.finishedBuilds.delete(oldest.value);
}

/** The job no longer needs this lease: its attempt ends and teardown follows. */
export function finishLease(ctx: ManagerContext, lease: Lease): void {
  markBuildFinished(ctx, lease.buildId);
  lease.warm = false;
  lease.finished.abort(new AttemptFailure('finished', 'the job no longer needs this VM', false));
}

/** Remembers the registrations GitHub listed, and since when each name was seen (status, suspicions). */
export function noteRegistrations(ctx: ManagerContext, runners: readonly RegisteredRunner[]): void {
  ctx.registrations = runners;
  const now = ctx.now();
  const seen = new Map<string, number>();
  for (const runner of runners) seen.set(runner.name, ctx.registrationsSeen.get(runner.name) ?? now);
  ctx.registrationsSeen = seen;
  const leased = new Set([...ctx.leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [l.vmId])));
  const live = new Set(ctx.lastVms.map((v) => v.vmId));
  ctx.unmatched.listed(runners.map((r) => r.name), (name) => leased.has(name) || live.has(name));
}
