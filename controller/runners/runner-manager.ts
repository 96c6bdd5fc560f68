import type { Logger } from 'pino';
import type { BackendName, PlatformConfig } from '../config/config-schema.ts';
import { coerceError } from '../errors/coerce-error.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import { buildIdFromLabel, buildLabel, isPullRequestBuildId, type BuildId } from '../model/build-id.ts';
import type { HostStatus, RunnerStatus, SlotStatus } from '../status/status-snapshot.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { judgeJobClaim, type RecordedRun } from './job-identity.ts';
import { linkSignals } from './link-signals.ts';
import { redactError } from './redact-secret.ts';
import { DEFAULT_RUNNER_COMMAND, runnerInput } from './runner-command.ts';
import type { ExecResult, HostRef, VmBackend } from './backends/vm-backend.ts';
import { planReconcile, type LiveVm, type ReconcilePlan } from './plan-reconcile.ts';
import type { RegisteredRunner, RunnerRegistry } from './runner-registry.ts';
import { RunnerMetrics } from './runner-metrics.ts';
import { SlotAllocator } from './slot-allocator.ts';
import type { SlotHost } from './slot-table.ts';
import {
  DEFAULT_DEADLINES,
  DEFAULT_RETRY,
  findOverdueLeases,
  nextRetryDelayMs,
  type OverdueReason,
  type RetryPolicy,
  type WatchdogDeadlines,
  type WatchedLease,
  type WatchedPhase,
} from './watchdog-deadlines.ts';
import { UnmatchedRegistrations } from './unmatched-registrations.ts';
import { parseVmName, randomNonce, vmName } from './vm-name.ts';
import type { WorkflowJobEvent } from '../model/workflow-job-event.ts';

export type LeasePhase =
  | 'waiting-slot'
  | 'cloning'
  | 'booting'
  | 'warm'
  | 'registering'
  | 'starting-runner'
  | 'runner-online'
  | 'running'
  | 'tearing-down'
  | 'backoff';

/** Handed to `onBuildFailed`: the build could not get a runner; the controller fails its check run and hands it back to the reorder service. */
export interface RunnerFailure {
  readonly buildId: BuildId;
  readonly platform: string;
  readonly attempts: number;
  readonly reason: string;
  readonly retryable: boolean;
}

export interface RunnerManagerOptions {
  readonly platforms: readonly PlatformConfig[];
  /** One backend instance per backend name the platforms use. */
  readonly backends: Readonly<Partial<Record<BackendName, VmBackend>>>;
  readonly registry: RunnerRegistry;
  readonly logger: Logger;
  /**
   * The run a build's job must belong to (`job-identity.ts`): a master build's run as the
   * controller recorded it, a PR build's from its id; null for an id the farm does not know.
   * Job events of any other run are refused: a label proves nothing.
   */
  readonly recordedRunOf: (buildId: BuildId) => RecordedRun | null;
  /** Where refused job events are counted and logged. */
  readonly rejections: EventRejections;
  readonly deadlines?: Partial<WatchdogDeadlines>;
  readonly retry?: Partial<RetryPolicy>;
  readonly runnerGroupId?: number;
  readonly workFolder?: string;
  /** The command that starts the JIT runner inside the VM; it is given the JIT config on stdin (runner-command.ts). */
  readonly runnerCommand?: readonly string[];
  /** How often the watchdog looks at deadlines and registrations. */
  readonly watchdogIntervalMs?: number;
  /** How often reconcile runs after the one at start (0: only at start). */
  readonly reconcileIntervalMs?: number;
  readonly now?: () => number;
  /** The port a build builds, for the status (null for watchers). */
  readonly portOf?: (buildId: BuildId) => string | null;
  readonly onBuildFailed?: (failure: RunnerFailure) => void;
  /**
   * After a VM's job, before the VM is destroyed (the build cache collects the distfiles the build
   * fetched into the VM's copy-on-write overlay). Its failure is logged; the VM is destroyed anyway.
   */
  readonly beforeDestroy?: (vm: FinishedVm, signal: AbortSignal) => Promise<void>;
  /** How long teardown waits for the job's `completed` event (its conclusion) before calling `beforeDestroy` without one. */
  readonly conclusionWaitMs?: number;
  /** The image a new VM of this build is cloned from (the image rollout's choice); default the platform's `image`. */
  readonly imageFor?: (platform: PlatformConfig, buildId: BuildId) => string;
}

/** A VM whose runner took its job, just before it is destroyed. */
export interface FinishedVm {
  readonly buildId: BuildId;
  readonly platform: string;
  readonly vmId: string;
  readonly backend: VmBackend;
  /** The job's conclusion from its `completed` event (`success`, `failure`, …), null when it did not arrive in time. */
  readonly conclusion: string | null;
}

/** A host's disk admission as the caches/images side decides it (`decideHostAdmission`). */
export interface HostAdmissionUpdate {
  readonly diskFreeGiB: number | null;
  /** Why the host takes no new VM, or null. */
  readonly refusing: string | null;
}

export { DEFAULT_RUNNER_COMMAND } from './runner-command.ts';

interface Lease {
  readonly buildId: BuildId;
  readonly platform: PlatformConfig;
  readonly log: Logger;
  jobId: number | null;
  /** When the job was queued (ms), for the queued→in_progress histogram. */
  queuedAt: number | null;
  /** Cloned ahead of its job by `warmStart`, not yet claimed by a queued job. */
  warm: boolean;
  wasWarm: boolean;
  attempt: number;
  phase: LeasePhase;
  since: number;
  vmId: string | undefined;
  host: HostRef | undefined;
  /** The image the current VM was cloned from. */
  image: string | undefined;
  runnerId: number | undefined;
  /**
   * The name of a registration asked for whose answer never came (timeout, abort, 5xx): GitHub
   * may have made it all the same, so teardown looks it up by name.
   */
  unconfirmedRegistration: string | undefined;
  registeredAt: number | undefined;
  jobStartedAt: number | undefined;
  jobTaken: boolean;
  /** The job's conclusion once its `completed` event came. */
  conclusion: string | null;
  /** A VM whose runner took a job that is not this build's: destroyed without anything collected from it. */
  compromisedVm: string | undefined;
  /** Found running after a restart (reconcile): no attempt loop, it only waits for its job's end. */
  readonly adopted: boolean;
  /** Aborted once the job no longer needs this lease: completed, cancelled, or taken by another runner. */
  readonly finished: AbortController;
  /** The current attempt; aborted (with the reason) by the watchdog, eviction or shutdown. */
  attemptControl: AbortController;
  /** Resolved when a queued job claims a warm VM. */
  claim: (() => void) | undefined;
  readonly done: Promise<void>;
}

class AttemptFailure extends Error {
  readonly retryable: boolean;
  readonly reason: string;
  constructor(reason: string, message: string, retryable: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AttemptFailure';
    this.reason = reason;
    this.retryable = retryable;
  }
}

const RECENTLY_FINISHED_LIMIT = 10_000;
/** Upper bound for `beforeDestroy` (a distfile collection over the farm's network). */
const BEFORE_DESTROY_MS = 600_000;

/**
 * One fresh VM and one ephemeral JIT runner per portfarm job: slot → clone → boot → reachable
 * → generate-jitconfig → run.sh --jitconfig → job → destroy VM + delete registration, on
 * every path. A watchdog retries stuck attempts with backoff, then fails the build visibly;
 * reconcile (at start and periodically) reaps orphans on both sides.
 */
export class RunnerManager {
  readonly metrics: RunnerMetrics;
  readonly #platforms: ReadonlyMap<string, PlatformConfig>;
  readonly #backends: Readonly<Partial<Record<BackendName, VmBackend>>>;
  readonly #registry: RunnerRegistry;
  readonly #log: Logger;
  readonly #deadlines: WatchdogDeadlines;
  readonly #retry: RetryPolicy;
  readonly #runnerGroupId: number;
  readonly #workFolder: string;
  readonly #runnerCommand: readonly string[];
  readonly #recordedRunOf: (buildId: BuildId) => RecordedRun | null;
  readonly #rejections: EventRejections;
  readonly #watchdogIntervalMs: number;
  readonly #reconcileIntervalMs: number;
  readonly #now: () => number;
  readonly #portOf: (buildId: BuildId) => string | null;
  readonly #onBuildFailed: (failure: RunnerFailure) => void;
  readonly #imageFor: (platform: PlatformConfig, buildId: BuildId) => string;
  readonly #beforeDestroy: RunnerManagerOptions['beforeDestroy'];
  readonly #conclusionWaitMs: number;
  readonly #admission = new Map<string, HostAdmissionUpdate>();
  /** The image each listed VM was cloned from, when its backend says (an adopted VM keeps it for image GC). */
  readonly #listedImages = new Map<string, string>();
  readonly #slots: SlotAllocator;
  readonly #hosts: readonly (HostRef & { readonly maxVms: number; readonly platforms: readonly string[]; readonly backends: readonly BackendName[] })[];
  readonly #leases = new Map<BuildId, Lease>();
  /** Builds whose job completed or went elsewhere: a late or repeated `queued` must not start a VM (terraform-aws-github-runner #2306). */
  readonly #finishedBuilds = new Set<BuildId>();
  readonly #shutdown = new AbortController();
  #registrations: readonly RegisteredRunner[] = [];
  #registrationsSeen = new Map<string, number>();
  /** Registrations listed without a VM: flagged only once they outlive the list's lag. */
  readonly #unmatched = new UnmatchedRegistrations();
  #lastVms: readonly LiveVm[] = [];
  #timers: NodeJS.Timeout[] = [];
  #started: Promise<ReconcilePlan> | undefined;
  #stopping: Promise<void> | undefined;
  #tick: Promise<void> | undefined;

  constructor(options: RunnerManagerOptions) {
    this.#platforms = new Map(options.platforms.map((p) => [p.name, p]));
    this.#backends = options.backends;
    this.#registry = options.registry;
    this.#log = options.logger;
    this.#deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#runnerGroupId = options.runnerGroupId ?? 1;
    this.#workFolder = options.workFolder ?? '_work';
    this.#runnerCommand = options.runnerCommand ?? DEFAULT_RUNNER_COMMAND;
    this.#recordedRunOf = options.recordedRunOf;
    this.#rejections = options.rejections;
    this.#watchdogIntervalMs = options.watchdogIntervalMs ?? 5_000;
    this.#reconcileIntervalMs = options.reconcileIntervalMs ?? 300_000;
    this.#now = options.now ?? Date.now;
    this.#portOf = options.portOf ?? (() => null);
    this.#onBuildFailed = options.onBuildFailed ?? (() => undefined);
    this.#imageFor = options.imageFor ?? ((platform) => platform.image);
    this.#beforeDestroy = options.beforeDestroy;
    this.#conclusionWaitMs = options.conclusionWaitMs ?? 15_000;
    for (const platform of options.platforms) {
      if (this.#backends[platform.backend] === undefined) {
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
    this.#hosts = [...hosts.values()];
    this.#slots = new SlotAllocator(this.#hosts.map((h): SlotHost => ({ name: h.name, maxVms: h.maxVms, platforms: h.platforms })));
    this.metrics = new RunnerMetrics({ vmsByState: () => this.#vmsByState() });
  }

  /** Reconciles once (orphans from a previous life are reaped, busy runners adopted), then starts the watchdog and periodic reconcile. Idempotent. */
  start(): Promise<ReconcilePlan> {
    this.#started ??= (async () => {
      const plan = await this.reconcile();
      const watchdog = setInterval(() => {
        void this.#watchdogTick();
      }, this.#watchdogIntervalMs);
      watchdog.unref();
      this.#timers.push(watchdog);
      if (this.#reconcileIntervalMs > 0) {
        const reconcile = setInterval(() => {
          this.reconcile().catch((error: unknown) => {
            this.#log.warn({ err: coerceError(error) }, 'periodic reconcile failed; next one retries');
          });
        }, this.#reconcileIntervalMs);
        reconcile.unref();
        this.#timers.push(reconcile);
      }
      return plan;
    })();
    return this.#started;
  }

  /**
   * Graceful stop: timers end, attempts that have no job yet are torn down (their jobs stay
   * queued on GitHub for the next start), VMs running a job are left to finish and are
   * adopted by the next start. Calling it twice returns the same promise.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const timer of this.#timers) clearInterval(timer);
      this.#timers = [];
      const pending: Promise<void>[] = [];
      for (const lease of this.#leases.values()) {
        if (lease.phase === 'running') continue;
        lease.attemptControl.abort(new AttemptFailure('shutdown', 'the controller is shutting down', false));
        pending.push(lease.done);
      }
      this.#shutdown.abort(new AttemptFailure('shutdown', 'the controller is shutting down', false));
      await Promise.allSettled(pending);
    })();
    return this.#stopping;
  }

  /**
   * Feeds one `workflow_job` event; returns at once (the work goes on in the background). Jobs
   * without portfarm's labels are ignored; a job that is not its build's own (another run, another
   * job) is refused and counted, and changes no lease; one of portfarm's runners seen running such
   * a job is destroyed at once.
   */
  handleWorkflowJob(event: WorkflowJobEvent): 'started' | 'claimed-warm' | 'duplicate' | 'ignored' | 'updated' | 'rejected' {
    if (event.runnerName !== null && (event.action === 'in_progress' || event.action === 'completed')) {
      const onOurRunner = [...this.#leases.values()].find((l) => l.vmId === event.runnerName);
      if (onOurRunner !== undefined && !this.#isOwnJob(onOurRunner, event)) {
        this.#runnerTakenByForeignJob(onOurRunner, event);
        return 'rejected';
      }
    }
    const match = this.#matchJob(event.labels);
    if (match === undefined) return 'ignored';
    const { buildId, platform } = match;
    const lease = this.#leases.get(buildId);
    const refusal = judgeJobClaim(event, this.#recordedRunOf(buildId), lease?.jobId ?? null);
    if (refusal !== null) {
      this.#rejections.reject(refusal, `job ${event.jobId}`, {
        buildId,
        action: event.action,
        runId: event.runId,
        runAttempt: event.runAttempt,
        jobId: event.jobId,
        recordedRun: this.#recordedRunOf(buildId),
        leaseJobId: lease?.jobId ?? null,
        why: 'the job carries this build\'s label but is not its recorded run\'s job; no VM, no change to its lease',
      });
      return 'rejected';
    }
    switch (event.action) {
      case 'queued': {
        if (this.#finishedBuilds.has(buildId)) {
          this.#log.info({ buildId, jobId: event.jobId }, 'queued event for a build whose job already went; no VM started');
          return 'duplicate';
        }
        if (lease !== undefined) {
          lease.jobId ??= event.jobId;
          lease.queuedAt ??= this.#now();
          if (lease.warm) {
            lease.warm = false;
            lease.claim?.();
            lease.log.info({ vmId: lease.vmId }, 'job queued; claiming the warm VM');
            return 'claimed-warm';
          }
          return 'duplicate';
        }
        if (this.#shutdown.signal.aborted) return 'ignored';
        this.#createLease(buildId, platform, { jobId: event.jobId, warm: false });
        return 'started';
      }
      case 'in_progress': {
        if (lease === undefined) return 'ignored';
        lease.jobId ??= event.jobId;
        if (event.runnerName !== null && event.runnerName === lease.vmId) {
          if (!lease.jobTaken) {
            lease.jobTaken = true;
            lease.jobStartedAt = this.#now();
            this.#enter(lease, 'running');
            if (lease.queuedAt !== null) {
              this.metrics.queuedToInProgress.observe({ platform: platform.name, warm: String(lease.wasWarm) }, (this.#now() - lease.queuedAt) / 1000);
            }
            lease.log.info({ vmId: lease.vmId, runnerName: event.runnerName }, 'job taken by its runner');
          }
          return 'updated';
        }
        // Another runner took the job (labels overlapped): this lease's VM is not needed.
        lease.log.warn({ vmId: lease.vmId, runnerName: event.runnerName }, 'job taken by another runner; destroying this VM');
        this.#finish(lease);
        return 'updated';
      }
      case 'completed': {
        this.#finishedBuilds.add(buildId);
        this.#trimFinished();
        if (lease === undefined) return 'ignored';
        lease.conclusion = event.conclusion;
        lease.log.info({ vmId: lease.vmId, conclusion: event.conclusion }, 'job completed; tearing down');
        this.#finish(lease);
        return 'updated';
      }
      case 'waiting':
        return 'ignored';
    }
  }

  /** Whether a job seen on this lease's runner is the build's own: its label, its recorded run, its job once known. */
  #isOwnJob(lease: Lease, event: WorkflowJobEvent): boolean {
    if (!event.labels.includes(buildLabel(lease.buildId))) return false;
    return judgeJobClaim(event, this.#recordedRunOf(lease.buildId), lease.jobId) === null;
  }

  /**
   * One of portfarm's runners took a job that is not its build's (a job of another run with the
   * same labels, or a subset of them): nothing that job left in the VM may be trusted, so the VM
   * is destroyed now with nothing collected from it, and the build's lease starts over (its own
   * job still waits on GitHub) until its retries run out and it fails visibly.
   */
  #runnerTakenByForeignJob(lease: Lease, event: WorkflowJobEvent): void {
    const vmId = lease.vmId;
    this.#rejections.reject('runner-taken-by-foreign-job', `runner ${vmId ?? ''}`, {
      buildId: lease.buildId,
      vmId,
      action: event.action,
      runId: event.runId,
      runAttempt: event.runAttempt,
      jobId: event.jobId,
      labels: event.labels,
      recordedRun: this.#recordedRunOf(lease.buildId),
      leaseJobId: lease.jobId,
      why: 'a job that is not this build\'s ran on its runner; the VM is destroyed without collecting anything and the build gets a new VM',
    });
    if (lease.compromisedVm === vmId) return;
    lease.compromisedVm = vmId;
    lease.jobTaken = false;
    lease.warm = false;
    const failure = new AttemptFailure('runner-taken', `runner ${vmId ?? ''} was taken by job ${event.jobId} of run ${event.runId}, not this build's`, true);
    // An adopted lease has no attempt loop: it ends without marking the build finished, so its own job's `queued` still gets a VM.
    if (lease.adopted) lease.finished.abort(failure);
    else lease.attemptControl.abort(failure);
  }

  /**
   * Warm start: the reorder service names the next build of a platform; its VM is cloned and
   * booted now if a slot is free and nobody waits (the cap still holds), and its queued job
   * later claims it. Returns whether a warm VM is being prepared.
   */
  warmStart(platformName: string, buildId: BuildId): boolean {
    const platform = this.#platforms.get(platformName);
    if (platform === undefined) {
      throw new Error(`platform "${platformName}" is not configured; known: ${[...this.#platforms.keys()].join(', ')}`);
    }
    if (this.#leases.has(buildId) || this.#finishedBuilds.has(buildId) || this.#shutdown.signal.aborted) return false;
    const grant = this.#slots.tryAcquire(buildId, platformName);
    if (grant === undefined) return false;
    this.#createLease(buildId, platform, { jobId: null, warm: true });
    return true;
  }

  /** Disk admission for a host: a refusing host gets no new VM (its running VMs go on); the reason shows in hostsStatus. */
  setHostAdmission(hostName: string, admission: HostAdmissionUpdate): void {
    if (!this.#hosts.some((h) => h.name === hostName)) {
      throw new Error(`host "${hostName}" is not configured; known: ${this.#hosts.map((h) => h.name).join(', ')}`);
    }
    this.#admission.set(hostName, admission);
    this.#slots.setRefusing(hostName, admission.refusing !== null);
  }

  /** Resolves when the build's lease is gone (VM destroyed, registration deleted); at once when there is none. */
  whenSettled(buildId: BuildId): Promise<void> {
    return this.#leases.get(buildId)?.done ?? Promise.resolve();
  }

  /**
   * The image of every VM that exists for a lease now, per platform: what image GC must spare.
   * `image` is null for a VM adopted after a restart whose backend does not say what it was cloned from.
   */
  vmImages(): { readonly platform: string; readonly vmId: string; readonly image: string | null }[] {
    return [...this.#leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [{ platform: l.platform.name, vmId: l.vmId, image: l.image ?? null }]));
  }

  /** Builds with a lease now and their phase. */
  leases(): { readonly buildId: string; readonly phase: LeasePhase; readonly vmId: string | null; readonly attempt: number }[] {
    return [...this.#leases.values()].map((l) => ({ buildId: l.buildId, phase: l.phase, vmId: l.vmId ?? null, attempt: l.attempt }));
  }

  /** Orphans on either side are reaped: registrations without a VM deleted, VMs without a registration or lease destroyed (clones included), VMs running a job adopted. */
  async reconcile(signal: AbortSignal = this.#shutdown.signal): Promise<ReconcilePlan> {
    const vms: LiveVm[] = [];
    this.#listedImages.clear();
    for (const host of this.#hosts) {
      for (const backendName of host.backends) {
        const backend = this.#backend(backendName);
        for (const vm of await backend.list(host, signal)) {
          vms.push({ vmId: vm.vmId, host: host.name });
          if (vm.image !== null) this.#listedImages.set(vm.vmId, vm.image);
        }
      }
    }
    const runners = await this.#registry.listRunners(signal);
    this.#lastVms = vms;
    this.#noteRegistrations(runners);
    const active = new Set([...this.#leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [l.vmId])));
    const plan = planReconcile({ vms, runners, active });
    for (const vm of plan.destroyVms) {
      const host = this.#hosts.find((h) => h.name === vm.host);
      if (host === undefined) continue;
      for (const backendName of host.backends) await this.#backend(backendName).destroy(vm.vmId, signal);
      this.metrics.orphansReaped.inc({ kind: 'vm', reason: vm.reason });
      this.#log.warn({ vmId: vm.vmId, host: vm.host, reason: vm.reason }, 'reaped orphan VM');
    }
    for (const runner of plan.deleteRunners) {
      await this.#registry.deleteRunner(runner.id, signal);
      this.metrics.orphansReaped.inc({ kind: 'registration', reason: runner.reason });
      this.#log.warn({ runnerId: runner.id, runnerName: runner.name, reason: runner.reason }, 'deleted orphan registration');
    }
    for (const adopted of plan.adopt) this.#adopt(adopted, runners);
    if (plan.destroyVms.length + plan.deleteRunners.length > 0) {
      this.#lastVms = vms.filter((vm) => !plan.destroyVms.some((d) => d.vmId === vm.vmId));
      this.#registrations = runners.filter((r) => !plan.deleteRunners.some((d) => d.id === r.id));
    }
    return plan;
  }

  /** The status-snapshot `hosts` entries: every configured host once, its slots and what fills them. */
  hostsStatus(): HostStatus[] {
    const table = this.#slots.table;
    return this.#hosts.map((host) => {
      const slots: SlotStatus[] = [];
      for (let index = 0; index < host.maxVms; index += 1) {
        const grant = table.held.find((g) => g.host === host.name && g.index === index);
        const lease = grant === undefined ? undefined : this.#leases.get(grant.ticket);
        if (lease === undefined || grant === undefined) {
          slots.push({ index, state: 'empty', vmId: null, buildId: null, platform: null, port: null, since: null, image: null });
          continue;
        }
        slots.push({
          index,
          state: slotState(lease.phase),
          vmId: lease.vmId ?? null,
          buildId: lease.buildId,
          platform: lease.platform.name,
          port: this.#portOf(lease.buildId),
          since: new Date(lease.since).toISOString(),
          image: lease.image ?? null,
        });
      }
      const admission = this.#admission.get(host.name);
      return {
        name: host.name,
        address: host.address,
        platforms: [...host.platforms],
        maxVms: host.maxVms,
        diskFreeGiB: admission?.diskFreeGiB ?? null,
        refusing: admission?.refusing ?? null,
        slots,
      };
    });
  }

  /** The status-snapshot `runners` entries: portfarm's registrations as last listed, with suspicions. */
  runnersStatus(): RunnerStatus[] {
    const now = this.#now();
    const liveVms = new Set(this.#lastVms.map((v) => v.vmId));
    const leasesByVm = new Map([...this.#leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [[l.vmId, l] as const])));
    const result: RunnerStatus[] = [];
    for (const runner of this.#registrations) {
      const parsed = parseVmName(runner.name);
      if (parsed === undefined) continue;
      const lease = leasesByVm.get(runner.name);
      const hasVm = lease !== undefined || liveVms.has(runner.name);
      const registeredAt = lease?.registeredAt ?? this.#registrationsSeen.get(runner.name) ?? now;
      const idleTooLong = runner.status === 'online' && !runner.busy && now - registeredAt > this.#deadlines.jobTakenMs / 2;
      result.push({
        id: runner.id,
        name: runner.name,
        buildId: parsed.buildId,
        platform: lease?.platform.name ?? runner.labels.find((l) => this.#platforms.has(l)) ?? null,
        vmId: hasVm ? runner.name : null,
        status: runner.status,
        busy: runner.busy,
        registeredAt: new Date(registeredAt).toISOString(),
        jobStartedAt: lease?.jobStartedAt === undefined ? null : new Date(lease.jobStartedAt).toISOString(),
        suspicious: !hasVm && this.#unmatched.confirmed(runner.name) ? 'registration-without-vm' : idleTooLong ? 'idle-too-long' : null,
      });
    }
    return result;
  }

  // ── lease lifecycle ────────────────────────────────────────────────────────────────

  #createLease(buildId: BuildId, platform: PlatformConfig, init: { jobId: number | null; warm: boolean }): Lease {
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const lease: Lease = {
      buildId,
      platform,
      log: this.#log.child({ buildId, platform: platform.name }),
      jobId: init.jobId,
      queuedAt: init.jobId === null ? null : this.#now(),
      warm: init.warm,
      wasWarm: init.warm,
      attempt: 1,
      phase: init.warm ? 'cloning' : 'waiting-slot',
      since: this.#now(),
      vmId: undefined,
      host: undefined,
      image: undefined,
      runnerId: undefined,
      unconfirmedRegistration: undefined,
      registeredAt: undefined,
      jobStartedAt: undefined,
      jobTaken: false,
      conclusion: null,
      compromisedVm: undefined,
      adopted: false,
      finished: new AbortController(),
      attemptControl: new AbortController(),
      claim: undefined,
      done,
    };
    this.#leases.set(buildId, lease);
    void this.#run(lease).finally(() => {
      this.#leases.delete(buildId);
      this.#slots.release(buildId);
      resolveDone();
    });
    return lease;
  }

  async #run(lease: Lease): Promise<void> {
    for (;;) {
      try {
        await this.#attempt(lease);
        return;
      } catch (error) {
        const failure = toFailure(error, lease.attemptControl.signal);
        await this.#teardown(lease);
        if (lease.finished.signal.aborted || this.#shutdown.signal.aborted) return;
        if (lease.warm) {
          lease.log.info({ reason: failure.reason }, 'warm VM dropped');
          return;
        }
        const delay = nextRetryDelayMs(lease.attempt, failure.retryable, this.#retry);
        if (delay === undefined) {
          this.#finishedBuilds.add(lease.buildId);
          this.metrics.buildsFailed.inc({ platform: lease.platform.name, reason: failure.reason });
          lease.log.error({ attempts: lease.attempt, reason: failure.reason, err: failure }, 'no runner for this build; handing it back');
          this.#onBuildFailed({
            buildId: lease.buildId,
            platform: lease.platform.name,
            attempts: lease.attempt,
            reason: describeFailure(failure),
            retryable: failure.retryable,
          });
          return;
        }
        this.metrics.retries.inc({ platform: lease.platform.name, reason: failure.reason });
        lease.log.warn({ attempt: lease.attempt, reason: failure.reason, retryInMs: delay, err: failure }, 'attempt failed; retrying');
        this.#enter(lease, 'backoff');
        try {
          // stop() aborts attemptControl, which also ends this wait.
          lease.attemptControl = new AbortController();
          const linked = linkSignals([lease.attemptControl.signal, lease.finished.signal]);
          await abortableSleep(delay, linked.signal).finally(() => {
            linked.dispose();
          });
        } catch {
          return;
        }
        if (this.#isShuttingDown()) return;
        lease.attempt += 1;
      }
    }
  }

  async #attempt(lease: Lease): Promise<void> {
    // Not linked to the shutdown signal (hundreds of listeners on one EventTarget cost O(n²)): stop() aborts each attempt.
    const linked = linkSignals([lease.attemptControl.signal, lease.finished.signal]);
    try {
      await this.#attemptUntil(lease, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  async #attemptUntil(lease: Lease, signal: AbortSignal): Promise<void> {
    const backend = this.#backend(lease.platform.backend);
    // 1. a slot (a warm lease took its slot in warmStart)
    if (!lease.warm || lease.attempt > 1) {
      this.#enter(lease, 'waiting-slot');
      const slot = this.#slots.acquire(lease.buildId, lease.platform.name, signal, isPullRequestBuildId(lease.buildId) ? 'pr' : 'master');
      if (this.#slots.table.waiting.some((w) => w.ticket === lease.buildId)) this.#evictWarmFor(lease.platform.name);
      await slot;
    }
    const grant = this.#slots.table.held.find((g) => g.ticket === lease.buildId);
    const host = this.#hosts.find((h) => h.name === grant?.host);
    if (host === undefined) throw new AttemptFailure('no-slot', 'the slot was lost before the clone', true);
    // 2. clone + boot + reachable
    const vmId = vmName(lease.buildId, lease.attempt, randomNonce());
    lease.vmId = vmId;
    lease.host = host;
    const log = lease.log.child({ vmId, host: host.name });
    const image = this.#imageFor(lease.platform, lease.buildId);
    lease.image = image;
    // A backend without exec (Orchard) starts the runner from the VM's startup script: register before the clone.
    const byStartupScript = backend.runnerStart === 'startup-script';
    let encodedJitConfig = byStartupScript ? await this.#register(lease, vmId, log, signal) : undefined;
    this.#enter(lease, 'cloning');
    const cloneStarted = this.#now();
    log.info({ image }, 'cloning VM');
    const startupSecret = encodedJitConfig;
    await backend
      .clone(
        startupSecret === undefined ? { vmId, image, host } : { vmId, image, host, startupCommand: { argv: this.#runnerCommand, input: runnerInput(startupSecret) } },
        signal,
      )
      .catch((error: unknown) => {
        // The JIT config went in the request: nothing of it may reach the log through the error.
        throw startupSecret === undefined ? error : redactError(error, startupSecret);
      });
    this.metrics.cloneSeconds.observe({ backend: backend.name, host: host.name }, (this.#now() - cloneStarted) / 1000);
    this.#enter(lease, 'booting');
    const bootStarted = this.#now();
    await backend.start(vmId, signal);
    const { address } = await backend.waitReachable(vmId, this.#deadlines.bootMs, signal);
    this.metrics.bootSeconds.observe({ backend: backend.name, host: host.name }, (this.#now() - bootStarted) / 1000);
    log.info({ address }, 'VM reachable');
    // 2b. a warm VM waits here for its job
    if (lease.warm) {
      this.#enter(lease, 'warm');
      await new Promise<void>((resolve, reject) => {
        lease.claim = resolve;
        if (!lease.warm) resolve();
        signal.addEventListener('abort', () => {
          reject(toFailure(signal.reason, signal));
        }, { once: true });
      });
      lease.claim = undefined;
      lease.queuedAt ??= this.#now();
    }
    // 3. register the JIT runner (a startup-script backend did so before the clone)
    encodedJitConfig ??= await this.#register(lease, vmId, log, signal);
    // 4. start the runner; its exit (or the job's completion) ends the attempt
    this.#enter(lease, 'starting-runner');
    // Not tied to shutdown: a graceful stop leaves a running job alone (the next start adopts it).
    const runLink = linkSignals([lease.attemptControl.signal, lease.finished.signal]);
    const runSignal = runLink.signal;
    // A startup-script runner's exit is not observable here: the watchdog's runner-online and job-taken deadlines cover it.
    // The JIT config goes on stdin, never on a command line (`ps`, command errors); errors are redacted all the same.
    const jitConfig = encodedJitConfig;
    const runnerExit: Promise<ExecResult> = byStartupScript
      ? new Promise<never>(() => undefined)
      : backend.exec(vmId, this.#runnerCommand, { signal: runSignal, input: runnerInput(jitConfig) }).catch((error: unknown) => {
          throw redactError(error, jitConfig);
        });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        settled = true;
        if (lease.finished.signal.aborted) resolve();
        else reject(toFailure(runSignal.reason, runSignal));
      };
      if (runSignal.aborted) onAbort();
      else runSignal.addEventListener('abort', onAbort, { once: true });
      runnerExit.then(
        (result) => {
          runSignal.removeEventListener('abort', onAbort);
          if (settled) return;
          if (lease.jobTaken) {
            log.info({ exitCode: result.exitCode }, 'runner exited after its job');
            resolve();
          } else {
            reject(new AttemptFailure('runner-exited', `runner exited with ${result.exitCode} before taking a job`, true));
          }
        },
        (error: unknown) => {
          runSignal.removeEventListener('abort', onAbort);
          if (lease.finished.signal.aborted || lease.jobTaken) resolve();
          else reject(toFailure(error, runSignal));
        },
      );
    }).finally(() => {
      runLink.dispose();
    });
    this.#finishedBuilds.add(lease.buildId);
    this.#trimFinished();
    await this.#teardown(lease);
  }

  /** Registers the JIT runner: unique name (= VM name), labels only this build's job asks for; returns its encoded config. */
  async #register(lease: Lease, vmId: string, log: Logger, signal: AbortSignal): Promise<string> {
    this.#enter(lease, 'registering');
    const labels = ['self-hosted', lease.platform.name, ...lease.platform.labels, buildLabel(lease.buildId)];
    lease.unconfirmedRegistration = vmId;
    const jit = await this.#registry.generateJitConfig({ name: vmId, labels, runnerGroupId: this.#runnerGroupId, workFolder: this.#workFolder }, signal);
    lease.unconfirmedRegistration = undefined;
    lease.runnerId = jit.runner.id;
    lease.registeredAt = this.#now();
    log.info({ runnerId: jit.runner.id, labels }, 'runner registered');
    return jit.encodedJitConfig;
  }

  /** Destroys the VM and deletes the registration; failures are logged and left to reconcile (never thrown). */
  async #teardown(lease: Lease): Promise<void> {
    if (lease.vmId === undefined && lease.runnerId === undefined && lease.unconfirmedRegistration === undefined) return;
    this.#enter(lease, 'tearing-down');
    lease.attemptControl.abort(new AttemptFailure('teardown', 'tearing down', false));
    const vmId = lease.vmId;
    const log = lease.log.child({ vmId });
    // Only the build's own job's VM is collected from; a VM a foreign job ran in is never trusted.
    if (vmId !== undefined && lease.jobTaken && lease.compromisedVm !== vmId && this.#beforeDestroy !== undefined) await this.#runBeforeDestroy(lease, vmId, log);
    // The slot stays held until the VM is gone: a slot freed while its VM still runs lets a third VM onto a 2-VM host.
    if (vmId !== undefined && !(await this.#destroyUntilGone(lease, vmId, log))) return;
    // Teardown must run even during shutdown: its own signal, started after the VM is gone (the collection before it may take minutes).
    const signal = AbortSignal.timeout(this.#deadlines.cloneMs);
    if (lease.runnerId !== undefined) {
      const runnerId = lease.runnerId;
      try {
        // After its job an ephemeral runner has usually removed itself: look (a GET) before deleting (a mutation, 5 rate-limit points).
        const stillRegistered = !lease.jobTaken || (await this.#registry.listRunners(signal)).some((r) => r.id === runnerId);
        if (stillRegistered) await this.#registry.deleteRunner(runnerId, signal);
      } catch (error) {
        log.error({ err: coerceError(error), runnerId: lease.runnerId }, 'deleting the registration failed; reconcile will reap it');
      }
    } else if (lease.unconfirmedRegistration !== undefined) {
      const name = lease.unconfirmedRegistration;
      try {
        const made = (await this.#registry.listRunners(signal)).filter((r) => r.name === name);
        for (const runner of made) await this.#registry.deleteRunner(runner.id, signal);
        if (made.length > 0) log.warn({ runner: name, runnerIds: made.map((r) => r.id) }, 'GitHub made a registration whose answer was lost; deleted it');
      } catch (error) {
        log.error({ err: coerceError(error), runner: name }, 'looking for a registration whose answer was lost failed; reconcile will reap it');
      }
    }
    lease.unconfirmedRegistration = undefined;
    log.info({ runnerId: lease.runnerId ?? null }, lease.runnerId === undefined ? 'VM destroyed' : 'VM destroyed and registration gone');
    lease.vmId = undefined;
    lease.runnerId = undefined;
    lease.jobTaken = false;
    this.#slots.release(lease.buildId);
  }

  /**
   * Destroys the VM, again and again with backoff until the backend confirms it gone; each try
   * has its own deadline. False only when the controller shuts down first (the next start's
   * reconcile reaps the VM).
   */
  async #destroyUntilGone(lease: Lease, vmId: string, log: Logger): Promise<boolean> {
    const backend = this.#backend(lease.platform.backend);
    for (let tries = 1; ; tries += 1) {
      try {
        await backend.destroy(vmId, AbortSignal.timeout(this.#deadlines.cloneMs));
        return true;
      } catch (error) {
        this.metrics.destroyFailures.inc({ backend: backend.name });
        log.error({ err: coerceError(error), tries }, 'destroying the VM failed; its slot stays held and the destroy is tried again');
      }
      try {
        await abortableSleep(Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** Math.min(tries - 1, 20)), this.#shutdown.signal);
      } catch {
        log.warn({ tries }, 'shutting down with the VM not destroyed; the next start reaps it');
        return false;
      }
    }
  }

  /** The VM's job is over: wait (bounded) for its conclusion, then the hook; never throws. */
  async #runBeforeDestroy(lease: Lease, vmId: string, log: Logger): Promise<void> {
    const hook = this.#beforeDestroy;
    if (hook === undefined) return;
    if (!lease.finished.signal.aborted) {
      // The runner can exit before the job's completed webhook arrives.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#conclusionWaitMs);
        timer.unref();
        lease.finished.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
    try {
      const backend = this.#backend(lease.platform.backend);
      await hook({ buildId: lease.buildId, platform: lease.platform.name, vmId, backend, conclusion: lease.conclusion }, AbortSignal.timeout(BEFORE_DESTROY_MS));
    } catch (error) {
      log.warn({ err: coerceError(error) }, 'work before destroying the VM failed; destroying it anyway');
    }
  }

  #finish(lease: Lease): void {
    this.#finishedBuilds.add(lease.buildId);
    this.#trimFinished();
    lease.warm = false;
    lease.finished.abort(new AttemptFailure('finished', 'the job no longer needs this VM', false));
  }

  #adopt(adopted: LiveVm & { readonly runnerId: number; readonly buildId: string }, runners: readonly RegisteredRunner[]): void {
    const runner = runners.find((r) => r.id === adopted.runnerId);
    const platform = [...this.#platforms.values()].find((p) => runner?.labels.includes(p.name) === true && p.hosts.some((h) => h.name === adopted.host));
    if (platform === undefined || this.#leases.has(adopted.buildId)) return;
    const host = this.#hosts.find((h) => h.name === adopted.host);
    if (host === undefined) return;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const lease: Lease = {
      buildId: adopted.buildId,
      platform,
      log: this.#log.child({ buildId: adopted.buildId, platform: platform.name }),
      jobId: null,
      queuedAt: null,
      warm: false,
      wasWarm: false,
      attempt: parseVmName(adopted.vmId)?.attempt ?? 1,
      phase: 'running',
      since: this.#now(),
      vmId: adopted.vmId,
      host,
      image: this.#listedImages.get(adopted.vmId),
      runnerId: adopted.runnerId,
      unconfirmedRegistration: undefined,
      registeredAt: this.#now(),
      jobStartedAt: undefined,
      jobTaken: true,
      conclusion: null,
      compromisedVm: undefined,
      adopted: true,
      finished: new AbortController(),
      attemptControl: new AbortController(),
      claim: undefined,
      done,
    };
    this.#leases.set(adopted.buildId, lease);
    this.#slots.occupy(adopted.buildId, platform.name, host.name, isPullRequestBuildId(adopted.buildId) ? 'pr' : 'master');
    lease.log.info({ vmId: adopted.vmId, runnerId: adopted.runnerId }, 'adopted a VM whose runner is running a job');
    const finished = lease.finished.signal;
    void new Promise<void>((resolve) => {
      finished.addEventListener('abort', () => {
        resolve();
      }, { once: true });
    })
      .then(() => this.#teardown(lease))
      .finally(() => {
        this.#leases.delete(adopted.buildId);
        this.#slots.release(adopted.buildId);
        resolveDone();
      });
  }

  /** Frees a slot for a waiting platform by dropping the oldest unclaimed warm VM on a host that serves it. */
  #evictWarmFor(platform: string): void {
    const hosts = new Set(this.#hosts.filter((h) => h.platforms.includes(platform)).map((h) => h.name));
    const victim = [...this.#leases.values()]
      .filter((l) => l.warm && hosts.has(this.#slots.table.held.find((g) => g.ticket === l.buildId)?.host ?? ''))
      .sort((a, b) => a.since - b.since)[0];
    if (victim === undefined) return;
    victim.log.info({ vmId: victim.vmId, for: platform }, 'evicting warm VM: a queued job needs its slot');
    victim.attemptControl.abort(new AttemptFailure('evicted', 'evicted for a queued job', false));
  }

  // ── watchdog ───────────────────────────────────────────────────────────────────────

  /** One watchdog pass; exposed for tests that drive time themselves. Concurrent calls share one pass. */
  watchdogTick(): Promise<void> {
    return this.#watchdogTick();
  }

  #watchdogTick(): Promise<void> {
    this.#tick ??= this.#watchdogPass().finally(() => {
      this.#tick = undefined;
    });
    return this.#tick;
  }

  async #watchdogPass(): Promise<void> {
    const leases = [...this.#leases.values()];
    // Runner online? One list call per pass for every lease that waits for its runner or runs a job.
    if (leases.some((l) => l.phase === 'starting-runner' || l.phase === 'runner-online' || l.phase === 'running')) {
      try {
        const runners = await this.#registry.listRunners(this.#shutdown.signal);
        this.#noteRegistrations(runners);
        const byName = new Map(runners.map((r) => [r.name, r]));
        for (const lease of leases) {
          if (lease.vmId === undefined) continue;
          const runner = byName.get(lease.vmId);
          if (lease.phase === 'starting-runner' && runner?.status === 'online') {
            this.#enter(lease, 'runner-online');
            lease.log.info({ vmId: lease.vmId, runnerId: runner.id }, 'runner online');
          } else if (lease.phase === 'running' && runner === undefined && lease.runnerId !== undefined) {
            // The ephemeral runner deleted itself after its job: the job is over even if its webhook was missed.
            lease.log.info({ vmId: lease.vmId }, 'registration gone after the job; tearing down');
            this.#finish(lease);
          }
        }
      } catch (error) {
        this.#log.warn({ err: coerceError(error) }, 'listing runners failed; the watchdog tries again next pass');
      }
    }
    const watched: WatchedLease[] = [];
    for (const lease of this.#leases.values()) {
      if (isWatched(lease.phase)) watched.push({ key: lease.buildId, phase: lease.phase, since: lease.since });
    }
    // The backend enforces bootMs itself (waitReachable); the watchdog is the backstop for a backend that hangs.
    const backstop = { ...this.#deadlines, bootMs: this.#deadlines.bootMs + Math.max(1_000, this.#deadlines.bootMs / 10) };
    for (const overdue of findOverdueLeases(watched, this.#now(), backstop)) {
      const lease = this.#leases.get(overdue.key);
      if (lease === undefined) continue;
      lease.log.warn({ vmId: lease.vmId, reason: overdue.reason, overdueMs: overdue.overdueMs }, 'watchdog: deadline passed');
      lease.attemptControl.abort(new AttemptFailure(overdue.reason, describeOverdue(overdue.reason, this.#deadlines), overdue.reason !== 'warm-vm-unused'));
    }
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────

  #isShuttingDown(): boolean {
    return this.#shutdown.signal.aborted;
  }

  #enter(lease: Lease, phase: LeasePhase): void {
    // A startup-script runner can take its job while the manager still waits for the VM: never step back from 'running'.
    if (lease.jobTaken && phase !== 'running' && phase !== 'tearing-down') return;
    lease.phase = phase;
    lease.since = this.#now();
  }

  #backend(name: BackendName): VmBackend {
    const backend = this.#backends[name];
    if (backend === undefined) throw new Error(`backend "${name}" is not configured`);
    return backend;
  }

  #matchJob(labels: readonly string[]): { buildId: BuildId; platform: PlatformConfig } | undefined {
    if (!labels.includes('self-hosted')) return undefined;
    let buildId: BuildId | undefined;
    for (const label of labels) buildId ??= buildIdFromLabel(label);
    if (buildId === undefined) return undefined;
    const platform = labels.map((l) => this.#platforms.get(l)).find((p) => p !== undefined);
    if (platform === undefined) {
      this.#log.warn({ buildId, labels }, 'job has a portfarm build label but no configured platform label; ignored');
      return undefined;
    }
    return { buildId, platform };
  }

  #noteRegistrations(runners: readonly RegisteredRunner[]): void {
    this.#registrations = runners;
    const now = this.#now();
    const seen = new Map<string, number>();
    for (const runner of runners) seen.set(runner.name, this.#registrationsSeen.get(runner.name) ?? now);
    this.#registrationsSeen = seen;
    const leased = new Set([...this.#leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [l.vmId])));
    const live = new Set(this.#lastVms.map((v) => v.vmId));
    this.#unmatched.listed(runners.map((r) => r.name), (name) => leased.has(name) || live.has(name));
  }

  #trimFinished(): void {
    if (this.#finishedBuilds.size <= RECENTLY_FINISHED_LIMIT) return;
    const oldest = this.#finishedBuilds.values().next();
    if (oldest.done !== true) this.#finishedBuilds.delete(oldest.value);
  }

  #vmsByState(): { host: string; state: string; count: number }[] {
    const rows: { host: string; state: string; count: number }[] = [];
    for (const host of this.hostsStatus()) {
      const counts = new Map<string, number>();
      for (const slot of host.slots) counts.set(slot.state, (counts.get(slot.state) ?? 0) + 1);
      for (const [state, count] of counts) rows.push({ host: host.name, state, count });
    }
    return rows;
  }
}

function isWatched(phase: LeasePhase): phase is WatchedPhase {
  return phase === 'cloning' || phase === 'booting' || phase === 'starting-runner' || phase === 'runner-online' || phase === 'warm';
}

function slotState(phase: LeasePhase): SlotStatus['state'] {
  switch (phase) {
    case 'cloning':
      return 'cloning';
    case 'booting':
    case 'warm':
    case 'registering':
    case 'starting-runner':
      return 'booting';
    case 'runner-online':
      return 'runner-online';
    case 'running':
      return 'running';
    case 'tearing-down':
      return 'tearing-down';
    case 'waiting-slot':
    case 'backoff':
      return 'empty';
  }
}

function describeOverdue(reason: OverdueReason, deadlines: WatchdogDeadlines): string {
  switch (reason) {
    case 'clone-too-slow':
      return `the clone did not finish within ${deadlines.cloneMs} ms`;
    case 'vm-not-booting':
      return `the VM was not reachable within ${deadlines.bootMs} ms`;
    case 'runner-not-online':
      return `the runner did not come online within ${deadlines.runnerOnlineMs} ms (actions/runner#3621)`;
    case 'job-not-taken':
      return `the runner was online but took no job within ${deadlines.jobTakenMs} ms`;
    case 'warm-vm-unused':
      return `no job claimed the warm VM within ${deadlines.warmIdleMs} ms`;
  }
}

/** Any failure of an attempt as an AttemptFailure: the watchdog's reason, or the backend's/registry's retryable flag. */
function toFailure(error: unknown, signal: AbortSignal): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof AttemptFailure) return reason;
  const cause = coerceError(error);
  const retryable = 'retryable' in cause && typeof cause.retryable === 'boolean' ? cause.retryable : true;
  const name = cause.name === 'VmBackendError' ? 'vm-backend' : cause.name === 'RunnerRegistryError' ? 'registry' : 'unexpected';
  return new AttemptFailure(name, `the ${name === 'vm-backend' ? 'VM backend' : name === 'registry' ? 'runner registry' : 'attempt'} failed`, retryable, cause);
}

/** What the check run and the TUI show: the reason, and the underlying cause's message when there is one. */
function describeFailure(failure: AttemptFailure): string {
  const cause: unknown = failure.cause;
  return cause instanceof Error ? `${failure.reason}: ${failure.message}: ${cause.message}` : `${failure.reason}: ${failure.message}`;
}
