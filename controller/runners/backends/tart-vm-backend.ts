import { execa } from 'execa';
import { abortableSleep, abortReason } from '../abortable-sleep.ts';
import { VM_PREFIX, VmBackendError, type ExecResult, type HostRef, type VmBackend, type VmInfo, type VmState } from './vm-backend.ts';

export interface TartVmBackendOptions {
  /** The `tart` executable (default: `tart` on PATH). */
  readonly tartPath?: string;
  /** Extra environment for tart (e.g. `TART_HOME`); the controller's config supplies it. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * How tart is reached on a host: local hosts (127.0.0.1, localhost, ::1) run it directly, other
   * hosts through this prefix, e.g. `['ssh', '-o', 'BatchMode=yes', 'admin@<address>']` (default).
   */
  readonly remoteCommand?: (host: HostRef) => readonly string[];
  /** How often `start` and `waitReachable` look again. */
  readonly pollMs?: number;
}

interface TartListEntry {
  readonly Name: string;
  readonly Source?: string;
  readonly Running?: boolean;
  readonly State?: string;
}

/**
 * tart (cirruslabs/tart), driven through its CLI with execa. Exit codes follow tart's
 * `RuntimeError.exitCode`: 2 for a missing VM or one not running / already running (permanent
 * for that call), 1 for other failures (treated as retryable), 64 for usage errors.
 */
export class TartVmBackend implements VmBackend {
  readonly name = 'tart' as const;
  readonly #tart: string;
  readonly #env: Readonly<Record<string, string>>;
  readonly #remote: (host: HostRef) => readonly string[];
  readonly #pollMs: number;
  /** Which host each VM lives on (filled by clone and list); tart itself knows only its own machine. */
  readonly #hosts = new Map<string, HostRef>();

  constructor(options: TartVmBackendOptions = {}) {
    this.#tart = options.tartPath ?? 'tart';
    this.#env = options.env ?? {};
    this.#remote = options.remoteCommand ?? ((host) => ['ssh', '-o', 'BatchMode=yes', host.address]);
    this.#pollMs = options.pollMs ?? 250;
  }

  async clone(spec: { readonly vmId: string; readonly image: string; readonly host: HostRef }, signal: AbortSignal): Promise<void> {
    this.#hosts.set(spec.vmId, spec.host);
    const result = await this.#run(spec.host, ['clone', spec.image, spec.vmId], signal);
    if (result.exitCode === 0) return;
    const missing = result.exitCode === 2;
    const exists = /already exists/i.test(result.stderr);
    throw new VmBackendError(
      missing
        ? `tart clone: image "${spec.image}" does not exist on ${spec.host.name}; pull or build it first (tart list shows what is there)`
        : `tart clone ${spec.image} ${spec.vmId} on ${spec.host.name} exited ${result.exitCode}: ${firstLine(result.stderr)}`,
      { retryable: !missing && !exists, vmId: spec.vmId },
    );
  }

  async start(vmId: string, signal: AbortSignal): Promise<void> {
    const host = this.#hostOf(vmId);
    if (signal.aborted) throw abortReason(signal);
    // `tart run` stays in the foreground while the VM runs: detach it, then wait until tart reports the VM running.
    const [file, ...prefix] = this.#argv(host, ['run', '--no-graphics', vmId]);
    const child = execa(file ?? this.#tart, prefix, { env: this.#env, detached: true, stdio: 'ignore', reject: false, cleanup: false });
    child.unref();
    let exited: { code: number | undefined } | undefined;
    void child.then((r) => {
      exited = { code: r.exitCode };
    });
    for (;;) {
      if (exited !== undefined) {
        throw new VmBackendError(`tart run ${vmId} on ${host.name} exited ${exited.code ?? 'by a signal'} before the VM ran`, {
          retryable: exited.code !== 2,
          vmId,
        });
      }
      const vm = (await this.list(host, signal)).find((v) => v.vmId === vmId);
      if (vm === undefined) throw new VmBackendError(`VM "${vmId}" does not exist on ${host.name}`, { retryable: false, vmId });
      if (vm.state === 'running') return;
      await abortableSleep(this.#pollMs, signal);
    }
  }

  async waitReachable(vmId: string, deadlineMs: number, signal: AbortSignal): Promise<{ readonly address: string }> {
    const host = this.#hostOf(vmId);
    const deadline = Date.now() + deadlineMs;
    const ip = await this.#run(host, ['ip', '--wait', String(Math.max(1, Math.ceil(deadlineMs / 1000))), vmId], signal);
    const address = ip.stdout.trim();
    if (ip.exitCode !== 0 || !/^[0-9a-f.:]+$/i.test(address)) {
      throw new VmBackendError(`VM "${vmId}" on ${host.name} got no IP within ${deadlineMs} ms: ${firstLine(ip.stdout + ip.stderr)}`, {
        retryable: true,
        vmId,
      });
    }
    // An IP is not enough: the runner is started through the guest agent, so wait until it answers.
    for (;;) {
      const probe = await this.#run(host, ['exec', vmId, 'true'], signal);
      if (probe.exitCode === 0) return { address };
      if (Date.now() + this.#pollMs > deadline) {
        throw new VmBackendError(`VM "${vmId}" on ${host.name} has IP ${address} but its guest agent did not answer within ${deadlineMs} ms`, {
          retryable: true,
          vmId,
        });
      }
      await abortableSleep(this.#pollMs, signal);
    }
  }

  async exec(
    vmId: string,
    argv: readonly string[],
    options: { readonly signal: AbortSignal; readonly env?: Readonly<Record<string, string>>; readonly input?: string },
  ): Promise<ExecResult> {
    const host = this.#hostOf(vmId);
    // tart exec has no --env: the guest's env(1) sets the variables.
    const envArgs = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const command = envArgs.length > 0 ? ['env', ...envArgs, ...argv] : [...argv];
    const flags = options.input === undefined ? [] : ['-i'];
    const result = await this.#run(host, ['exec', ...flags, vmId, ...command], options.signal, options.input);
    if (result.exitCode === 2 && isTartVmError(result.stderr, vmId)) {
      throw new VmBackendError(`tart exec: VM "${vmId}" on ${host.name} does not exist or is not running`, { retryable: false, vmId });
    }
    return result;
  }

  async destroy(vmId: string, signal: AbortSignal): Promise<void> {
    // A VM this controller never cloned or listed cannot be on any host it knows: nothing to destroy.
    const host = this.#hosts.get(vmId);
    if (host === undefined) return;
    const stop = await this.#run(host, ['stop', vmId], signal);
    if (stop.exitCode !== 0 && stop.exitCode !== 2) {
      throw new VmBackendError(`tart stop ${vmId} on ${host.name} exited ${stop.exitCode}: ${firstLine(stop.stderr)}`, { retryable: true, vmId });
    }
    const removed = await this.#run(host, ['delete', vmId], signal);
    if (removed.exitCode !== 0 && removed.exitCode !== 2) {
      throw new VmBackendError(`tart delete ${vmId} on ${host.name} exited ${removed.exitCode}: ${firstLine(removed.stderr)}`, { retryable: true, vmId });
    }
    this.#hosts.delete(vmId);
  }

  async list(host: HostRef, signal: AbortSignal): Promise<readonly VmInfo[]> {
    const result = await this.#run(host, ['list', '--format', 'json', '--source', 'local'], signal);
    if (result.exitCode !== 0) {
      throw new VmBackendError(`tart list on ${host.name} exited ${result.exitCode}: ${firstLine(result.stderr)}`, { retryable: true });
    }
    let entries: unknown;
    try {
      entries = JSON.parse(result.stdout);
    } catch (error) {
      throw new VmBackendError(`tart list on ${host.name} printed no JSON; is tart ≥ 1.0 installed?`, { retryable: false, cause: error });
    }
    if (!Array.isArray(entries)) throw new VmBackendError(`tart list on ${host.name} printed ${typeof entries}, not a JSON array`, { retryable: false });
    const infos: VmInfo[] = [];
    for (const entry of entries as TartListEntry[]) {
      if (typeof entry.Name !== 'string' || !entry.Name.startsWith(VM_PREFIX)) continue;
      this.#hosts.set(entry.Name, host);
      infos.push({ vmId: entry.Name, host: host.name, state: toState(entry), image: null });
    }
    return infos.sort((a, b) => a.vmId.localeCompare(b.vmId));
  }

  #hostOf(vmId: string): HostRef {
    const host = this.#hosts.get(vmId);
    if (host === undefined) throw new VmBackendError(`VM "${vmId}" is unknown to this controller (not cloned or listed here)`, { retryable: false, vmId });
    return host;
  }

  #argv(host: HostRef, args: readonly string[]): string[] {
    if (isLocal(host)) return [this.#tart, ...args];
    return [...this.#remote(host), [this.#tart, ...args].map(quoteShell).join(' ')];
  }

  async #run(host: HostRef, args: readonly string[], signal: AbortSignal, input?: string): Promise<ExecResult> {
    if (signal.aborted) throw abortReason(signal);
    const [file, ...rest] = this.#argv(host, args);
    const result = await execa(file ?? this.#tart, rest, {
      env: this.#env,
      reject: false,
      cancelSignal: signal,
      forceKillAfterDelay: 5_000,
      stripFinalNewline: false,
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    });
    // Cancelled by the signal: report the abort, not the killed process.
    signal.throwIfAborted();
    if (result.failed && result.exitCode === undefined) {
      throw new VmBackendError(`could not run ${file ?? this.#tart} for "tart ${args[0] ?? ''}" on ${host.name}; is tart installed and on PATH?`, {
        retryable: false,
        cause: result,
      });
    }
    return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
  }
}

function isLocal(host: HostRef): boolean {
  return host.address === '127.0.0.1' || host.address === 'localhost' || host.address === '::1';
}

function toState(entry: TartListEntry): VmState {
  if (entry.State === 'running' || entry.Running === true) return 'running';
  if (entry.State === 'stopped' || entry.State === 'suspended' || entry.Running === false) return 'stopped';
  return 'unknown';
}

/** tart's own "missing VM" / "not running" errors, told apart from a guest command that exits 2. */
function isTartVmError(stderr: string, vmId: string): boolean {
  const text = stderr.trim();
  return text.includes(`"${vmId}" does not exist`) || text === vmId || /is not running/i.test(text);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function quoteShell(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
