import { abortableSleep, abortReason } from '../abortable-sleep.ts';
import { linkSignals } from '../link-signals.ts';
import { JIT_CONFIG_ENV } from '../runner-command.ts';
import { VM_PREFIX, VmBackendError, type CloneSpec, type ExecResult, type HostRef, type VmBackend, type VmInfo } from './vm-backend.ts';

/** What a fake VM does when the runner is started in it; resolves with the runner's exit code when it exits. */
export type RunnerStartHook = (encodedJitConfig: string, vmId: string, signal: AbortSignal) => Promise<number> | number;

export type FakeOperation = 'clone' | 'start' | 'exec' | 'destroy' | 'list';

export interface FakeVmBackendOptions {
  /** Base images that exist (clone from any other is a permanent error). */
  readonly images: readonly string[];
  /** start → reachable. */
  readonly bootMs?: number;
  readonly cloneMs?: number;
  /**
   * Called when the VM starts the runner: a command that reads ${JIT_CONFIG_ENV} from stdin (the
   * GitHub double's runner stand-in gets what it read). Without it the runner idles until the VM goes.
   */
  readonly onRunnerStart?: RunnerStartHook;
  /** Runs any other command in a VM (tests give the VM a shell, e.g. over a folder); undefined: the built-in echo/cat/true/false. */
  readonly onExec?: (vmId: string, argv: readonly string[], signal: AbortSignal) => Promise<ExecResult> | undefined;
  /** Observes every call (the benchmark times `clone` with it). */
  readonly onCall?: (operation: FakeOperation, vmId: string) => void;
}

interface FakeVm {
  readonly vmId: string;
  readonly host: string;
  readonly image: string;
  state: 'stopped' | 'running';
  bootedAt: number | undefined;
  /** Aborted when the VM is destroyed: ends everything running inside it. */
  readonly life: AbortController;
}

/**
 * An in-process VM backend for the demo, tests and benchmarks: configurable boot time and
 * failure injection (`failNext`, `neverBoot`). Behaves like the real ones where the contract
 * says so (idempotent destroy, exit codes, permanent vs retryable errors).
 */
export class FakeVmBackend implements VmBackend {
  readonly name = 'fake' as const;
  readonly #vms = new Map<string, FakeVm>();
  readonly #images: Set<string>;
  readonly #failures = new Map<FakeOperation, VmBackendError[]>();
  #onRunnerStart: RunnerStartHook | undefined;
  readonly #onCall: ((operation: FakeOperation, vmId: string) => void) | undefined;
  readonly #onExec: FakeVmBackendOptions['onExec'];
  bootMs: number;
  cloneMs: number;
  /** VMs started while this is true never become reachable. */
  neverBoot = false;
  /** How many runners were started, in order (tests assert routing with it). */
  readonly runnerStarts: { readonly vmId: string; readonly encodedJitConfig: string }[] = [];
  /** Every command line a VM was asked to run (exec and startup commands) with its environment: what `ps` would show. */
  readonly commandLines: { readonly vmId: string; readonly argv: readonly string[]; readonly env: Readonly<Record<string, string>> }[] = [];

  constructor(options: FakeVmBackendOptions) {
    this.#images = new Set(options.images);
    this.bootMs = options.bootMs ?? 0;
    this.cloneMs = options.cloneMs ?? 0;
    this.#onRunnerStart = options.onRunnerStart;
    this.#onCall = options.onCall;
    this.#onExec = options.onExec;
  }

  set onRunnerStart(hook: RunnerStartHook | undefined) {
    this.#onRunnerStart = hook;
  }

  /** The next call of `operation` fails with `error` (queued: call it twice for two failures). */
  failNext(operation: FakeOperation, error: VmBackendError): void {
    const queue = this.#failures.get(operation) ?? [];
    queue.push(error);
    this.#failures.set(operation, queue);
  }

  /** VM names that exist now, sorted. */
  vmIds(): string[] {
    return [...this.#vms.keys()].sort();
  }

  async clone(spec: CloneSpec, signal: AbortSignal): Promise<void> {
    this.#call('clone', spec.vmId, signal);
    if (spec.startupCommand !== undefined) this.commandLines.push({ vmId: spec.vmId, argv: [...spec.startupCommand.argv], env: {} });
    if (!this.#images.has(spec.image)) {
      throw new VmBackendError(`image "${spec.image}" does not exist on ${spec.host.name}; known: ${[...this.#images].join(', ')}`, {
        retryable: false,
        vmId: spec.vmId,
      });
    }
    if (this.#vms.has(spec.vmId)) throw new VmBackendError(`VM "${spec.vmId}" already exists`, { retryable: false, vmId: spec.vmId });
    const vm: FakeVm = { vmId: spec.vmId, host: spec.host.name, image: spec.image, state: 'stopped', bootedAt: undefined, life: new AbortController() };
    this.#vms.set(spec.vmId, vm);
    if (this.cloneMs > 0) await abortableSleep(this.cloneMs, signal);
  }

  start(vmId: string, signal: AbortSignal): Promise<void> {
    return settle(() => {
      this.#call('start', vmId, signal);
      const vm = this.#get(vmId);
      if (vm.state === 'running') throw new VmBackendError(`VM "${vmId}" is already running`, { retryable: false, vmId });
      vm.state = 'running';
      vm.bootedAt = this.neverBoot ? undefined : Date.now() + this.bootMs;
    });
  }

  async waitReachable(vmId: string, deadlineMs: number, signal: AbortSignal): Promise<{ readonly address: string }> {
    const vm = this.#get(vmId);
    if (signal.aborted) throw abortReason(signal);
    const waitMs = vm.state !== 'running' || vm.bootedAt === undefined ? Infinity : vm.bootedAt - Date.now();
    const linked = linkSignals([signal, vm.life.signal]);
    try {
      if (waitMs > deadlineMs) {
        await abortableSleep(deadlineMs, linked.signal);
        throw new VmBackendError(`VM "${vmId}" was not reachable within ${deadlineMs} ms`, { retryable: true, vmId });
      }
      if (waitMs > 0) await abortableSleep(waitMs, linked.signal);
    } finally {
      linked.dispose();
    }
    return { address: `10.254.0.${(this.vmIds().indexOf(vmId) % 250) + 2}` };
  }

  async exec(
    vmId: string,
    argv: readonly string[],
    options: { readonly signal: AbortSignal; readonly env?: Readonly<Record<string, string>>; readonly input?: string },
  ): Promise<ExecResult> {
    this.#call('exec', vmId, options.signal);
    this.commandLines.push({ vmId, argv: [...argv], env: { ...options.env } });
    const vm = this.#get(vmId);
    if (vm.state !== 'running') throw new VmBackendError(`VM "${vmId}" is not running`, { retryable: false, vmId });
    // The runner reads its JIT config from stdin into the variable run.sh takes it from.
    if (options.input !== undefined && argv.some((word) => word.includes(JIT_CONFIG_ENV))) {
      const config = options.input.split('\n')[0] ?? '';
      this.runnerStarts.push({ vmId, encodedJitConfig: config });
      const linked = linkSignals([options.signal, vm.life.signal]);
      const hook = this.#onRunnerStart;
      let exitCode: number;
      try {
        exitCode = hook === undefined ? await idleUntilAborted(linked.signal) : await hook(config, vmId, linked.signal);
      } finally {
        linked.dispose();
      }
      if (vm.life.signal.aborted) throw new VmBackendError(`VM "${vmId}" was destroyed while the runner ran`, { retryable: false, vmId });
      return { exitCode, stdout: '', stderr: '' };
    }
    const custom = this.#onExec?.(vmId, argv, options.signal);
    if (custom !== undefined) return custom;
    const [command, ...args] = argv;
    if (command === 'echo') return { exitCode: 0, stdout: `${args.join(' ')}\n`, stderr: '' };
    if (command === 'cat') return { exitCode: 0, stdout: options.input ?? '', stderr: '' };
    if (command === 'true') return { exitCode: 0, stdout: '', stderr: '' };
    if (command === 'false') return { exitCode: 1, stdout: '', stderr: '' };
    return { exitCode: 127, stdout: '', stderr: `${command ?? ''}: command not found\n` };
  }

  destroy(vmId: string, signal: AbortSignal): Promise<void> {
    return settle(() => {
      this.#call('destroy', vmId, signal);
      const vm = this.#vms.get(vmId);
      if (vm !== undefined) {
        vm.life.abort(new VmBackendError(`VM "${vmId}" was destroyed`, { retryable: false, vmId }));
        this.#vms.delete(vmId);
      }
    });
  }

  list(host: HostRef, signal: AbortSignal): Promise<readonly VmInfo[]> {
    return settle(() => {
      this.#call('list', host.name, signal);
      const infos: VmInfo[] = [];
      for (const vm of this.#vms.values()) {
        if (vm.host === host.name && vm.vmId.startsWith(VM_PREFIX)) infos.push({ vmId: vm.vmId, host: vm.host, state: vm.state, image: vm.image });
      }
      return infos.sort((a, b) => a.vmId.localeCompare(b.vmId));
    });
  }

  #call(operation: FakeOperation, vmId: string, signal: AbortSignal): void {
    if (signal.aborted) throw abortReason(signal);
    this.#onCall?.(operation, vmId);
    const failure = this.#failures.get(operation)?.shift();
    if (failure !== undefined) throw failure;
  }

  #get(vmId: string): FakeVm {
    const vm = this.#vms.get(vmId);
    if (vm === undefined) throw new VmBackendError(`VM "${vmId}" does not exist`, { retryable: false, vmId });
    return vm;
  }
}

/** Runs `fn` and turns a synchronous throw into a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(fn());
  });
}

function idleUntilAborted(signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(143);
    else signal.addEventListener('abort', () => { resolve(143); }, { once: true });
  });
}
