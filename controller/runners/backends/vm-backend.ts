import type { BackendName } from '../../config/config-schema.ts';

/** The host a VM runs on, as configured (`platforms[].hosts[]`). */
export interface HostRef {
  readonly name: string;
  readonly address: string;
}

export type VmState = 'stopped' | 'running' | 'unknown';

export interface VmInfo {
  readonly vmId: string;
  readonly host: string;
  readonly state: VmState;
  /** The image (and version) the VM was cloned from, when the backend knows it. */
  readonly image: string | null;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Thrown by backends; `retryable` says whether the same call may succeed later (only the caller decides to retry). */
export class VmBackendError extends Error {
  readonly retryable: boolean;
  readonly vmId: string | undefined;
  constructor(message: string, options: { retryable: boolean; vmId?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VmBackendError';
    this.retryable = options.retryable;
    this.vmId = options.vmId;
  }
}

/** A command the VM runs once it boots, and what it reads on stdin (the JIT config: a secret, never on a command line). */
export interface StartupCommand {
  readonly argv: readonly string[];
  readonly input: string;
}

/** What `clone` is given. */
export interface CloneSpec {
  readonly vmId: string;
  readonly image: string;
  readonly host: HostRef;
  /** Only for a backend whose `runnerStart` is 'startup-script': the command the VM runs once it boots (the JIT runner). */
  readonly startupCommand?: StartupCommand;
}

/**
 * One interface for every way portfarm gets a clean macOS VM (tart, Orchard, libvirt, the fake).
 * Every method takes an AbortSignal; `destroy` is idempotent (destroying a missing VM succeeds),
 * so every failure path can call it without first asking whether the VM exists.
 * One shared contract suite (test/runners/vm-backend-contract.ts) runs against each backend.
 */
export interface VmBackend {
  readonly name: BackendName;
  /**
   * How the JIT runner is started. 'exec' (also when absent): the manager runs the runner command with `exec` once
   * the VM is reachable. 'startup-script': the backend does not run commands in VMs (Orchard), so the manager
   * registers the runner before the clone and passes the command as `startupCommand`; `exec` rejects permanently.
   */
  readonly runnerStart?: 'exec' | 'startup-script';
  /** Copy-on-write clone of `image` into a new VM named `vmId` on `host`. */
  clone(spec: CloneSpec, signal: AbortSignal): Promise<void>;
  /** Boots the VM; resolves once it is booting (not yet reachable). */
  start(vmId: string, signal: AbortSignal): Promise<void>;
  /** Resolves with the VM's address once it answers (IP + SSH/agent), or rejects at `deadlineMs`. */
  waitReachable(vmId: string, deadlineMs: number, signal: AbortSignal): Promise<{ readonly address: string }>;
  /** Runs a command inside the VM (over SSH or the guest agent). */
  exec(
    vmId: string,
    argv: readonly string[],
    options: { readonly signal: AbortSignal; readonly env?: Readonly<Record<string, string>>; readonly input?: string },
  ): Promise<ExecResult>;
  /** Stops and deletes the VM and its disk; succeeds when it is already gone. */
  destroy(vmId: string, signal: AbortSignal): Promise<void>;
  /** VMs portfarm created on `host` (names with portfarm's prefix), for reconcile after a crash. */
  list(host: HostRef, signal: AbortSignal): Promise<readonly VmInfo[]>;
}

export { VM_PREFIX } from '../../model/vm-prefix.ts';
