/** A runner registration as GitHub lists it (`GET /repos/{o}/{r}/actions/runners`). */
export interface RegisteredRunner {
  readonly id: number;
  readonly name: string;
  readonly status: 'online' | 'offline';
  readonly busy: boolean;
  readonly labels: readonly string[];
}

export interface JitConfigRequest {
  readonly name: string;
  readonly labels: readonly string[];
  readonly runnerGroupId: number;
  readonly workFolder: string;
}

export interface JitConfig {
  readonly runner: RegisteredRunner;
  /** What `run.sh --jitconfig` takes; a secret: never logged. */
  readonly encodedJitConfig: string;
}

/** Thrown by registries; `retryable` as for VmBackendError. `status` is the HTTP status when there was one. */
export class RunnerRegistryError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunnerRegistryError';
    this.retryable = options.retryable;
    this.status = options.status;
  }
}

/**
 * The GitHub side of a JIT runner: register (generate-jitconfig, 409 when the name exists),
 * list, delete (deleting a missing runner succeeds, so every failure path may call it).
 */
export interface RunnerRegistry {
  generateJitConfig(request: JitConfigRequest, signal: AbortSignal): Promise<JitConfig>;
  listRunners(signal: AbortSignal): Promise<readonly RegisteredRunner[]>;
  deleteRunner(id: number, signal: AbortSignal): Promise<void>;
}
