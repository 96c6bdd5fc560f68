import type { Logger } from 'pino';
import type { BackendName, PlatformConfig } from '../config/config-schema.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import type { BuildId } from '../model/build-id.ts';
import type { VmBackend } from './backends/vm-backend.ts';
import type { RecordedRun } from './job-identity.ts';
import type { RunnerRegistry } from './runner-registry.ts';
import type { RetryPolicy, WatchdogDeadlines } from './watchdog-deadlines.ts';

/** Handed to `onRunnerTaken`: whose runner was taken, and by which run's job. */
export interface RunnerTaken {
  readonly buildId: BuildId;
  readonly vmId: string | null;
  readonly runId: number;
  readonly jobId: number;
}

/** Handed to `onBuildFailed`: the build could not get a runner; the controller fails its check run and hands it back to the reorder service. */
export interface RunnerFailure {
  readonly buildId: BuildId;
  readonly platform: string;
  readonly attempts: number;
  readonly reason: string;
  readonly retryable: boolean;
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
  /** The runner group new runners are registered into (1: the Default group, as for repository runners). */
  readonly runnerGroupId?: number;
  /** Pull-request builds' runners' group when it differs (organisation runners: the master group admits only ports.yml). */
  readonly pullRequestRunnerGroupId?: number;
  /**
   * At most this many VMs for one pull request's run across the farm (default 2), so a PR with a
   * 256-job matrix cannot hold every PR slot; freed PR slots go to the run served longest ago.
   */
  readonly prVmsPerRun?: number;
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
   * One of the farm's runners ran a job that is not its build's (the VM is destroyed already):
   * the controller cancels that job's run, so one forged run costs one VM, not one per job.
   */
  readonly onRunnerTaken?: (taken: RunnerTaken) => void;
  /**
   * After a VM's job, before the VM is destroyed (the build cache collects the distfiles the build
   * fetched into the VM's copy-on-write overlay). Its failure is logged; the VM is destroyed anyway.
   * Never called for a VM whose runner ran a job that was not its build's.
   */
  readonly beforeDestroy?: (vm: FinishedVm, signal: AbortSignal) => Promise<void>;
  /** How long teardown waits for the job's `completed` event (its conclusion) before calling `beforeDestroy` without one. */
  readonly conclusionWaitMs?: number;
  /** The image a new VM of this build is cloned from (the image rollout's choice); default the platform's `image`. */
  readonly imageFor?: (platform: PlatformConfig, buildId: BuildId) => string;
}
