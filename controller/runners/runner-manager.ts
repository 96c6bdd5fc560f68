import { coerceError } from '../errors/coerce-error.ts';
import type { BuildId } from '../model/build-id.ts';
import type { HostStatus, RunnerStatus } from '../status/status-snapshot.ts';
import { AttemptFailure, type LeasePhase } from './lease.ts';
import { reconcile } from './lease-adopt-reconcile.ts';
import { createLease } from './lease-attempt.ts';
import { hostsStatus, runnersStatus, vmsByState } from './lease-status.ts';
import { watchdogPass } from './lease-watchdog.ts';
import { createManagerContext, type ManagerContext } from './manager-context.ts';
import type { ReconcilePlan } from './plan-reconcile.ts';
import type { HostAdmissionUpdate, RunnerManagerOptions } from './runner-manager-options.ts';
import type { RunnerMetrics } from './runner-metrics.ts';
import { handleWorkflowJob, runRecorded, type WorkflowJobOutcome } from './workflow-job-handler.ts';
import type { WorkflowJobEvent } from '../model/workflow-job-event.ts';

export type { LeasePhase } from './lease.ts';
export type { FinishedVm, HostAdmissionUpdate, RunnerFailure, RunnerManagerOptions } from './runner-manager-options.ts';
export { DEFAULT_RUNNER_COMMAND } from './runner-command.ts';

/**
 * One fresh VM and one ephemeral JIT runner per portfarm job: slot → clone → boot → reachable
 * → generate-jitconfig → runner (JIT config on stdin) → job → destroy VM + delete registration,
 * on every path. A watchdog retries stuck attempts with backoff, then fails the build visibly;
 * reconcile (at start and periodically) reaps orphans on both sides. Each part of a lease's life
 * is its own file: lease-slot-and-clone, lease-boot-and-register, lease-run and
 * workflow-job-handler, lease-teardown, lease-adopt-reconcile, lease-status, lease-watchdog,
 * tied together by lease-attempt.
 */
export class RunnerManager {
  readonly metrics: RunnerMetrics;
  readonly #ctx: ManagerContext;
  readonly #watchdogIntervalMs: number;
  readonly #reconcileIntervalMs: number;
  #timers: NodeJS.Timeout[] = [];
  #started: Promise<ReconcilePlan> | undefined;
  #stopping: Promise<void> | undefined;
  #tick: Promise<void> | undefined;

  constructor(options: RunnerManagerOptions) {
    const ctx: ManagerContext = createManagerContext(options, () => vmsByState(ctx));
    this.#ctx = ctx;
    this.metrics = ctx.metrics;
    this.#watchdogIntervalMs = options.watchdogIntervalMs ?? 5_000;
    this.#reconcileIntervalMs = options.reconcileIntervalMs ?? 300_000;
  }

  /** Reconciles once (orphans from a previous life are reaped, busy runners adopted), then starts the watchdog and periodic reconcile. Idempotent. */
  start(): Promise<ReconcilePlan> {
    this.#started ??= (async () => {
      const plan = await this.reconcile();
      const watchdog = setInterval(() => {
        void this.watchdogTick();
      }, this.#watchdogIntervalMs);
      watchdog.unref();
      this.#timers.push(watchdog);
      if (this.#reconcileIntervalMs > 0) {
        const timer = setInterval(() => {
          this.reconcile().catch((error: unknown) => {
            this.#ctx.log.warn({ err: coerceError(error) }, 'periodic reconcile failed; next one retries');
          });
        }, this.#reconcileIntervalMs);
        timer.unref();
        this.#timers.push(timer);
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
      for (const lease of this.#ctx.leases.values()) {
        if (lease.phase === 'running') continue;
        lease.attemptControl.abort(new AttemptFailure('shutdown', 'the controller is shutting down', false));
        pending.push(lease.done);
      }
      this.#ctx.shutdown.abort(new AttemptFailure('shutdown', 'the controller is shutting down', false));
      await Promise.allSettled(pending);
    })();
    return this.#stopping;
  }

  /**
   * Feeds one `workflow_job` event; returns at once (the work goes on in the background). Jobs
   * without portfarm's labels are ignored; a job that is not its build's own is 'rejected'
   * (counted, no lease changed), and a runner of ours running one is destroyed at once.
   */
  handleWorkflowJob(event: WorkflowJobEvent): WorkflowJobOutcome {
    return handleWorkflowJob(this.#ctx, event);
  }

  /**
   * The controller has recorded the run it dispatched for this build: a `queued` that arrived
   * before (and was refused as unrecorded) is judged again now, instead of waiting for the sweep.
   */
  runRecorded(buildId: BuildId): WorkflowJobOutcome[] {
    return runRecorded(this.#ctx, buildId);
  }

  /**
   * Warm start: the reorder service names the next build of a platform; its VM is cloned and
   * booted now if a slot is free and nobody waits (the cap still holds), and its queued job
   * later claims it. Returns whether a warm VM is being prepared.
   */
  warmStart(platformName: string, buildId: BuildId): boolean {
    const ctx = this.#ctx;
    const platform = ctx.platforms.get(platformName);
    if (platform === undefined) {
      throw new Error(`platform "${platformName}" is not configured; known: ${[...ctx.platforms.keys()].join(', ')}`);
    }
    if (ctx.leases.has(buildId) || ctx.finishedBuilds.has(buildId) || ctx.shutdown.signal.aborted) return false;
    const grant = ctx.slots.tryAcquire(buildId, platformName);
    if (grant === undefined) return false;
    createLease(ctx, buildId, platform, { jobId: null, warm: true });
    return true;
  }

  /** Disk admission for a host: a refusing host gets no new VM (its running VMs go on); the reason shows in hostsStatus. */
  setHostAdmission(hostName: string, admission: HostAdmissionUpdate): void {
    const ctx = this.#ctx;
    if (!ctx.hosts.some((h) => h.name === hostName)) {
      throw new Error(`host "${hostName}" is not configured; known: ${ctx.hosts.map((h) => h.name).join(', ')}`);
    }
    ctx.admission.set(hostName, admission);
    ctx.slots.setRefusing(hostName, admission.refusing !== null);
  }

  /** Resolves when the build's lease is gone (VM destroyed, registration deleted); at once when there is none. */
  whenSettled(buildId: BuildId): Promise<void> {
    return this.#ctx.leases.get(buildId)?.done ?? Promise.resolve();
  }

  /**
   * The image of every VM that exists for a lease now, per platform: what image GC must spare.
   * `image` is null for a VM adopted after a restart whose backend does not say what it was cloned from.
   */
  vmImages(): { readonly platform: string; readonly vmId: string; readonly image: string | null }[] {
    return [...this.#ctx.leases.values()].flatMap((l) => (l.vmId === undefined ? [] : [{ platform: l.platform.name, vmId: l.vmId, image: l.image ?? null }]));
  }

  /** Builds with a lease now and their phase. */
  leases(): { readonly buildId: string; readonly phase: LeasePhase; readonly vmId: string | null; readonly attempt: number }[] {
    return [...this.#ctx.leases.values()].map((l) => ({ buildId: l.buildId, phase: l.phase, vmId: l.vmId ?? null, attempt: l.attempt }));
  }

  /** Orphans on either side are reaped: registrations without a VM deleted, VMs without a registration or lease destroyed (clones included), VMs running a job adopted. */
  reconcile(signal: AbortSignal = this.#ctx.shutdown.signal): Promise<ReconcilePlan> {
    return reconcile(this.#ctx, signal);
  }

  /** The status-snapshot `hosts` entries: every configured host once, its slots and what fills them. */
  hostsStatus(): HostStatus[] {
    return hostsStatus(this.#ctx);
  }

  /** The status-snapshot `runners` entries: portfarm's registrations as last listed, with suspicions. */
  runnersStatus(): RunnerStatus[] {
    return runnersStatus(this.#ctx);
  }

  /** One watchdog pass; exposed for tests that drive time themselves. Concurrent calls share one pass. */
  watchdogTick(): Promise<void> {
    this.#tick ??= watchdogPass(this.#ctx).finally(() => {
      this.#tick = undefined;
    });
    return this.#tick;
  }
}
