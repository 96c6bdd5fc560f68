import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/config-schema.ts';
import { coerceError } from '../errors/coerce-error.ts';
import type { BuildId } from '../model/build-id.ts';
import type { HostRef } from './backends/vm-backend.ts';
import type { WatchedPhase } from './watchdog-deadlines.ts';

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

/** One build's hold on the farm: its slot, its VM of the current attempt, its runner registration, its job. */
export interface Lease {
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

/** Why an attempt ended: `reason` a short slug (metric label), `retryable` whether another attempt may succeed. */
export class AttemptFailure extends Error {
  readonly retryable: boolean;
  readonly reason: string;
  constructor(reason: string, message: string, retryable: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AttemptFailure';
    this.reason = reason;
    this.retryable = retryable;
  }
}

/** Moves a lease to `phase` at `now`. */
export function enterPhase(lease: Lease, phase: LeasePhase, now: number): void {
  // A startup-script runner can take its job while the manager still waits for the VM: never step back from 'running'.
  if (lease.jobTaken && phase !== 'running' && phase !== 'tearing-down') return;
  lease.phase = phase;
  lease.since = now;
}

export function isWatched(phase: LeasePhase): phase is WatchedPhase {
  return phase === 'cloning' || phase === 'booting' || phase === 'starting-runner' || phase === 'runner-online' || phase === 'warm';
}

/** Any failure of an attempt as an AttemptFailure: the watchdog's reason, or the backend's/registry's retryable flag. */
export function toFailure(error: unknown, signal: AbortSignal): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof AttemptFailure) return reason;
  const cause = coerceError(error);
  const retryable = 'retryable' in cause && typeof cause.retryable === 'boolean' ? cause.retryable : true;
  const name = cause.name === 'VmBackendError' ? 'vm-backend' : cause.name === 'RunnerRegistryError' ? 'registry' : 'unexpected';
  return new AttemptFailure(name, `the ${name === 'vm-backend' ? 'VM backend' : name === 'registry' ? 'runner registry' : 'attempt'} failed`, retryable, cause);
}

/** What the check run and the TUI show: the reason, and the underlying cause's message when there is one. */
export function describeFailure(failure: AttemptFailure): string {
  const cause: unknown = failure.cause;
  return cause instanceof Error ? `${failure.reason}: ${failure.message}: ${cause.message}` : `${failure.reason}: ${failure.message}`;
}
