import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { abortableSleep, abortReason } from '../abortable-sleep.ts';
import { VM_PREFIX, VmBackendError, type ExecResult, type HostRef, type VmBackend, type VmInfo } from './vm-backend.ts';

/** Runs one program; the seam the tests use to record virsh command lines. */
export type CommandRunner = (file: string, args: readonly string[], options: { readonly signal: AbortSignal; readonly input?: string }) => Promise<ExecResult>;

export interface LibvirtVmBackendOptions {
  /** Where base images live: `<imagesDir>/<image>.qcow2`. */
  readonly imagesDir: string;
  /** Where overlays and domain XML of portfarm's VMs go (on the controller's host). */
  readonly poolDir: string;
  /** libvirt connection (default `qemu:///system`). */
  readonly connectUri?: string;
  /** The domain XML for a VM (default: `defaultDomainXml`, no network interface besides the one named). */
  readonly domainXml?: (vm: { readonly vmId: string; readonly overlay: string }) => string;
  /** How commands reach the guest once it has an address: argv prefix before the remote command. */
  readonly sshCommand?: (address: string) => readonly string[];
  readonly qemuImg?: string;
  readonly virsh?: string;
  readonly run?: CommandRunner;
  readonly pollMs?: number;
}

export const runWithExeca: CommandRunner = async (file, args, options) => {
  const result = await execa(file, args, {
    reject: false,
    cancelSignal: options.signal,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  options.signal.throwIfAborted();
  if (result.failed && result.exitCode === undefined) {
    throw new VmBackendError(`could not run ${file}; is it installed (Debian: qemu-utils, libvirt-clients)?`, { retryable: false, cause: result });
  }
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
};

/** A minimal macOS-on-QEMU domain: the overlay as the only disk, user-mode networking; real farms pass their own template. */
export function defaultDomainXml(vm: { readonly vmId: string; readonly overlay: string }): string {
  return [
    `<domain type="kvm">`,
    `  <name>${vm.vmId}</name>`,
    `  <memory unit="GiB">8</memory>`,
    `  <vcpu>4</vcpu>`,
    `  <os><type arch="x86_64" machine="q35">hvm</type></os>`,
    `  <devices>`,
    `    <disk type="file" device="disk"><driver name="qemu" type="qcow2"/><source file="${vm.overlay}"/><target dev="sda" bus="sata"/></disk>`,
    `    <channel type="unix"><target type="virtio" name="org.qemu.guest_agent.0"/></channel>`,
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
}

/**
 * libvirt on a Linux host, the MacPorts seed's plan: a qcow2 overlay on the base image per VM
 * (`qemu-img create -f qcow2 -b base -F qcow2`, copy-on-write, milliseconds) and a transient
 * domain through virsh (define, start, destroy, undefine). Commands reach the guest over SSH.
 * VMs live on the controller's own host (overlays are local files).
 */
export class LibvirtVmBackend implements VmBackend {
  readonly name = 'libvirt' as const;
  readonly #options: LibvirtVmBackendOptions;
  readonly #run: CommandRunner;
  readonly #uri: string;
  readonly #addresses = new Map<string, string>();
  readonly #hosts = new Map<string, string>();

  constructor(options: LibvirtVmBackendOptions) {
    this.#options = options;
    this.#run = options.run ?? runWithExeca;
    this.#uri = options.connectUri ?? 'qemu:///system';
  }

  overlayPath(vmId: string): string {
    return join(this.#options.poolDir, `${vmId}.qcow2`);
  }

  async clone(spec: { readonly vmId: string; readonly image: string; readonly host: HostRef }, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortReason(signal);
    const base = join(this.#options.imagesDir, `${spec.image}.qcow2`);
    if (!existsSync(base)) {
      throw new VmBackendError(`base image ${base} does not exist; put the image "${spec.image}" there or fix platforms[].image`, { retryable: false, vmId: spec.vmId });
    }
    const overlay = this.overlayPath(spec.vmId);
    if (existsSync(overlay)) throw new VmBackendError(`overlay ${overlay} already exists`, { retryable: false, vmId: spec.vmId });
    const created = await this.#run(this.#options.qemuImg ?? 'qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', overlay], { signal });
    if (created.exitCode !== 0) {
      rmSync(overlay, { force: true });
      throw new VmBackendError(`qemu-img create for ${spec.vmId} exited ${created.exitCode}: ${firstLine(created.stderr)}`, { retryable: true, vmId: spec.vmId });
    }
    const xmlPath = join(this.#options.poolDir, `${spec.vmId}.xml`);
    writeFileSync(xmlPath, (this.#options.domainXml ?? defaultDomainXml)({ vmId: spec.vmId, overlay }));
    const defined = await this.#virsh(['define', xmlPath], signal);
    if (defined.exitCode !== 0) {
      rmSync(overlay, { force: true });
      rmSync(xmlPath, { force: true });
      throw new VmBackendError(`virsh define ${spec.vmId} exited ${defined.exitCode}: ${firstLine(defined.stderr)}`, { retryable: true, vmId: spec.vmId });
    }
    this.#hosts.set(spec.vmId, spec.host.name);
  }

  async start(vmId: string, signal: AbortSignal): Promise<void> {
    const started = await this.#virsh(['start', vmId], signal);
    if (started.exitCode !== 0) {
      const missing = /failed to get domain|not found/i.test(started.stderr);
      throw new VmBackendError(`virsh start ${vmId} exited ${started.exitCode}: ${firstLine(started.stderr)}`, { retryable: !missing, vmId });
    }
  }

  async waitReachable(vmId: string, deadlineMs: number, signal: AbortSignal): Promise<{ readonly address: string }> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const addresses = await this.#virsh(['domifaddr', vmId, '--source', 'agent'], signal);
      const address = [...addresses.stdout.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\/\d+/g)].map((m) => m[1]).find((a) => a !== undefined && !a.startsWith('127.'));
      if (address !== undefined) {
        const probe = await this.#guest(address, ['true'], signal);
        if (probe.exitCode === 0) {
          this.#addresses.set(vmId, address);
          return { address };
        }
      }
      if (Date.now() + (this.#options.pollMs ?? 1_000) > deadline) {
        throw new VmBackendError(`VM "${vmId}" was not reachable (agent address + SSH) within ${deadlineMs} ms`, { retryable: true, vmId });
      }
      await abortableSleep(this.#options.pollMs ?? 1_000, signal);
    }
  }

  async exec(
    vmId: string,
    argv: readonly string[],
    options: { readonly signal: AbortSignal; readonly env?: Readonly<Record<string, string>>; readonly input?: string },
  ): Promise<ExecResult> {
    const address = this.#addresses.get(vmId);
    if (address === undefined) throw new VmBackendError(`VM "${vmId}" is not running or was never reachable`, { retryable: false, vmId });
    const envArgs = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const command = envArgs.length > 0 ? ['env', ...envArgs, ...argv] : [...argv];
    return this.#guest(address, command, options.signal, options.input);
  }

  async destroy(vmId: string, signal: AbortSignal): Promise<void> {
    const stopped = await this.#virsh(['destroy', vmId], signal);
    if (stopped.exitCode !== 0 && !/not running|failed to get domain|not found/i.test(stopped.stderr)) {
      throw new VmBackendError(`virsh destroy ${vmId} exited ${stopped.exitCode}: ${firstLine(stopped.stderr)}`, { retryable: true, vmId });
    }
    const undefined_ = await this.#virsh(['undefine', vmId, '--nvram'], signal);
    if (undefined_.exitCode !== 0 && !/failed to get domain|not found/i.test(undefined_.stderr)) {
      throw new VmBackendError(`virsh undefine ${vmId} exited ${undefined_.exitCode}: ${firstLine(undefined_.stderr)}`, { retryable: true, vmId });
    }
    rmSync(this.overlayPath(vmId), { force: true });
    rmSync(join(this.#options.poolDir, `${vmId}.xml`), { force: true });
    this.#addresses.delete(vmId);
    this.#hosts.delete(vmId);
  }

  /** Domains named with portfarm's prefix plus overlays left on disk without a domain (a crash between create and define). */
  async list(host: HostRef, signal: AbortSignal): Promise<readonly VmInfo[]> {
    const all = await this.#virsh(['list', '--all', '--name'], signal);
    if (all.exitCode !== 0) throw new VmBackendError(`virsh list exited ${all.exitCode}: ${firstLine(all.stderr)}`, { retryable: true });
    const running = await this.#virsh(['list', '--state-running', '--name'], signal);
    const runningNames = new Set(names(running.stdout));
    const found = new Set(names(all.stdout).filter((n) => n.startsWith(VM_PREFIX)));
    if (existsSync(this.#options.poolDir)) {
      for (const file of readdirSync(this.#options.poolDir)) {
        if (file.startsWith(VM_PREFIX) && file.endsWith('.qcow2')) found.add(file.slice(0, -'.qcow2'.length));
      }
    }
    return [...found].sort().map((vmId) => ({ vmId, host: host.name, state: runningNames.has(vmId) ? 'running' : 'stopped', image: null }));
  }

  #virsh(args: readonly string[], signal: AbortSignal): Promise<ExecResult> {
    return this.#run(this.#options.virsh ?? 'virsh', ['-c', this.#uri, ...args], { signal });
  }

  #guest(address: string, argv: readonly string[], signal: AbortSignal, input?: string): Promise<ExecResult> {
    const prefix = (this.#options.sshCommand ?? ((a: string) => ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', `admin@${a}`]))(address);
    const [file, ...rest] = prefix;
    const remote = argv.map(quoteShell).join(' ');
    return this.#run(file ?? 'ssh', [...rest, remote], input === undefined ? { signal } : { signal, input });
  }
}

function names(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function quoteShell(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
