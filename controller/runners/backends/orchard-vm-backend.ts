import { abortableSleep, abortReason } from '../abortable-sleep.ts';
import { linkSignals } from '../link-signals.ts';
import { asOrchardVm, OrchardApi, orchardMessage, type OrchardApiOptions, type OrchardVm, type OrchardVmCreate } from './orchard-api.ts';
import { VM_PREFIX, VmBackendError, type CloneSpec, type StartupCommand, type ExecResult, type HostRef, type VmBackend, type VmInfo } from './vm-backend.ts';

export interface OrchardVmBackendOptions extends OrchardApiOptions {
  /**
   * The worker label that pins a VM to a portfarm host: a VM cloned for host `mini-1` requires
   * `<hostLabel>=mini-1`, so start each Orchard worker with `--labels portfarm-host=<host name>`
   * (default `portfarm-host`). `list(host)` finds a host's VMs by the same label, also after a crash.
   */
  readonly hostLabel?: string;
  /** CPUs and memory (MiB) per VM; Orchard's defaults (the worker's, else 4 and 8192) when absent. */
  readonly cpu?: number;
  readonly memoryMiB?: number;
  /** SSH user and password Orchard's worker runs the startup script with (Orchard's default admin/admin). */
  readonly sshUsername?: string;
  readonly sshPassword?: string;
  /** How often clone, start and waitReachable look again. */
  readonly pollMs?: number;
}

/**
 * Orchard (cirruslabs/orchard): tart VMs scheduled across many Mac workers through the
 * controller's REST API. A VM is created and run in one step (`POST /v1/vms`), so `clone`
 * waits until the worker has pulled and cloned the image (status leaves `pending`), `start`
 * until it runs, `waitReachable` for `GET /v1/vms/{name}/ip`. The runner is started by the
 * VM's startup script (`runnerStart: 'startup-script'`), not by `exec`.
 */
export class OrchardVmBackend implements VmBackend {
  readonly name = 'orchard' as const;
  readonly runnerStart = 'startup-script' as const;
  readonly #api: OrchardApi;
  readonly #hostLabel: string;
  readonly #options: OrchardVmBackendOptions;
  readonly #pollMs: number;

  constructor(options: OrchardVmBackendOptions) {
    this.#api = new OrchardApi(options);
    this.#hostLabel = options.hostLabel ?? 'portfarm-host';
    this.#options = options;
    this.#pollMs = options.pollMs ?? 1_000;
  }

  async clone(spec: CloneSpec, signal: AbortSignal): Promise<void> {
    const what = `Orchard: creating VM "${spec.vmId}" from "${spec.image}" for host ${spec.host.name}`;
    const created = await this.#api.createVm(this.#createBody(spec), signal);
    if (created.status === 409) {
      throw new VmBackendError(`${what}: a VM with this name already exists`, { retryable: false, vmId: spec.vmId });
    }
    if (created.status !== 200) {
      // 400/412: the request itself is wrong (name, image, policy); sending it again changes nothing.
      throw new VmBackendError(`${what}: Orchard answered ${created.status} ${orchardMessage(created.body)}`.trimEnd(), {
        retryable: false,
        vmId: spec.vmId,
      });
    }
    // Orchard schedules, pulls, clones and boots in one go: the clone is done once the VM leaves `pending`.
    const vm = await this.#waitWhilePending(spec.vmId, signal, async () => {
      // Still unscheduled: with no worker carrying the host label it never will be (a setup error, not a busy cluster).
      if (await this.#someWorkerServes(spec.host, signal)) return;
      await this.destroy(spec.vmId, signal);
      throw new VmBackendError(
        `${what}: no Orchard worker has the label ${this.#hostLabel}=${spec.host.name}, so the VM can never be scheduled; start the worker for this host with \`orchard worker run --labels ${this.#hostLabel}=${spec.host.name} ...\``,
        { retryable: false, vmId: spec.vmId },
      );
    });
    if (vm.status !== 'failed') return;
    const message = vm.status_message ?? '';
    await this.destroy(spec.vmId, signal);
    const pullFailed = /failed to pull/i.test(message);
    throw new VmBackendError(
      pullFailed
        ? `${what}: the worker could not pull the image (${message}); check the image name and that the workers can reach its registry`
        : `${what}: the VM failed on worker ${vm.worker ?? '(none)'}: ${message || 'no status message'}`,
      { retryable: !pullFailed, vmId: spec.vmId },
    );
  }

  async start(vmId: string, signal: AbortSignal): Promise<void> {
    // Orchard started the VM when it was created; this waits until its worker reports it running.
    const vm = await this.#waitWhilePending(vmId, signal);
    if (vm.status === 'failed') {
      throw new VmBackendError(`Orchard VM "${vmId}" failed on worker ${vm.worker ?? '(none)'}: ${vm.status_message ?? 'no status message'}`, {
        retryable: true,
        vmId,
      });
    }
  }

  async waitReachable(vmId: string, deadlineMs: number, signal: AbortSignal): Promise<{ readonly address: string }> {
    if (signal.aborted) throw abortReason(signal);
    const deadline = AbortSignal.timeout(deadlineMs);
    const linked = linkSignals([signal, deadline]);
    const ends = Date.now() + deadlineMs;
    let last = 'no answer yet';
    try {
      for (;;) {
        // The controller holds the request up to `wait` seconds; the deadline aborts it sooner.
        const waitSeconds = Math.min(10, Math.max(0, Math.floor((ends - Date.now()) / 1000)));
        const answer = await this.#api.getVmIp(vmId, waitSeconds, linked.signal).catch((error: unknown) => {
          if (signal.aborted) throw abortReason(signal);
          if (deadline.aborted) return undefined;
          // A retryable API failure (controller restarting, 503) is one more reason to look again.
          if (error instanceof VmBackendError && error.retryable) return { status: 503, body: error.message };
          throw error;
        });
        if (answer === undefined) break;
        if (answer.status === 200 && isIpAnswer(answer.body)) return { address: answer.body.ip };
        if (answer.status === 404) throw new VmBackendError(`Orchard VM "${vmId}" does not exist`, { retryable: false, vmId });
        // 417: the VM is in a terminal state; this VM will never answer (a new one may).
        if (answer.status === 417) throw new VmBackendError(`Orchard VM "${vmId}" will not become reachable: ${orchardMessage(answer.body)}`, { retryable: true, vmId });
        // 408 (not running yet), 503 (the worker could not resolve the IP): look again.
        last = `${answer.status} ${orchardMessage(answer.body)}`.trimEnd();
        if (Date.now() + this.#pollMs >= ends) break;
        await abortableSleep(this.#pollMs, linked.signal).catch((error: unknown) => {
          if (signal.aborted || !deadline.aborted) throw error;
        });
        if (deadline.aborted) break;
      }
    } finally {
      linked.dispose();
    }
    throw new VmBackendError(`Orchard VM "${vmId}" got no IP within ${deadlineMs} ms (last answer: ${last})`, { retryable: true, vmId });
  }

  exec(
    vmId: string,
    _argv: readonly string[],
    options: { readonly signal: AbortSignal; readonly env?: Readonly<Record<string, string>>; readonly input?: string },
  ): Promise<ExecResult> {
    if (options.signal.aborted) return Promise.reject(abortReason(options.signal));
    return Promise.reject(
      new VmBackendError(
        `the orchard backend runs no commands in VM "${vmId}": Orchard's exec is a WebSocket session through its controller, which this backend does not use; the runner starts from the VM's startup script (runnerStart: 'startup-script')`,
        { retryable: false, vmId },
      ),
    );
  }

  async destroy(vmId: string, signal: AbortSignal): Promise<void> {
    const answer = await this.#api.deleteVm(vmId, signal);
    // 404: already gone. Orchard's worker stops and deletes the tart VM once the resource is gone.
    if (answer.status === 200 || answer.status === 404) return;
    throw new VmBackendError(`Orchard DELETE of VM "${vmId}" answered ${answer.status} ${orchardMessage(answer.body)}`.trimEnd(), { retryable: true, vmId });
  }

  async list(host: HostRef, signal: AbortSignal): Promise<readonly VmInfo[]> {
    const answer = await this.#api.listVms(signal);
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      throw new VmBackendError(`Orchard GET /v1/vms answered ${answer.status} ${orchardMessage(answer.body)}`.trimEnd(), { retryable: answer.status !== 200 });
    }
    const infos: VmInfo[] = [];
    for (const entry of answer.body as unknown[]) {
      const vm = asOrchardVm(entry, 'Orchard GET /v1/vms');
      if (!vm.name.startsWith(VM_PREFIX) || vm.labels?.[this.#hostLabel] !== host.name) continue;
      infos.push({ vmId: vm.name, host: host.name, state: vm.status === 'running' ? 'running' : 'stopped', image: vm.image ?? null });
    }
    return infos.sort((a, b) => a.vmId.localeCompare(b.vmId));
  }

  async #someWorkerServes(host: HostRef, signal: AbortSignal): Promise<boolean> {
    const answer = await this.#api.listWorkers(signal);
    // Without the compute:read view of workers (or an odd answer) assume the cluster is just busy.
    if (answer.status !== 200 || !Array.isArray(answer.body)) return true;
    return (answer.body as unknown[]).some((worker) => {
      if (typeof worker !== 'object' || worker === null || !('labels' in worker)) return false;
      const labels: unknown = worker.labels;
      return typeof labels === 'object' && labels !== null && (labels as Record<string, unknown>)[this.#hostLabel] === host.name;
    });
  }

  #createBody(spec: CloneSpec): OrchardVmCreate {
    const o = this.#options;
    return {
      name: spec.vmId,
      image: spec.image,
      headless: true,
      // A failed VM is destroyed and replaced by the manager, never restarted in place.
      restart_policy: 'Never',
      labels: { [this.#hostLabel]: spec.host.name },
      ...(o.cpu === undefined ? {} : { cpu: o.cpu }),
      ...(o.memoryMiB === undefined ? {} : { memory: o.memoryMiB }),
      ...(o.sshUsername === undefined ? {} : { username: o.sshUsername }),
      ...(o.sshPassword === undefined ? {} : { password: o.sshPassword }),
      ...(spec.startupCommand === undefined ? {} : { startup_script: { script_content: startupScript(spec.startupCommand) } }),
    };
  }

  /** Polls until the VM runs or failed; `onUnscheduled` runs once, the first time the VM is seen without a worker. */
  async #waitWhilePending(vmId: string, signal: AbortSignal, onUnscheduled?: () => Promise<void>): Promise<OrchardVm> {
    let checked = onUnscheduled === undefined;
    for (;;) {
      const answer = await this.#api.getVm(vmId, signal);
      if (answer.status === 404) throw new VmBackendError(`Orchard VM "${vmId}" does not exist`, { retryable: false, vmId });
      if (answer.status !== 200) {
        throw new VmBackendError(`Orchard GET of VM "${vmId}" answered ${answer.status} ${orchardMessage(answer.body)}`.trimEnd(), { retryable: true, vmId });
      }
      const vm = asOrchardVm(answer.body, `Orchard GET of VM "${vmId}"`);
      if (vm.status === 'running' || vm.status === 'failed') return vm;
      if (!checked && (vm.worker ?? '') === '') {
        checked = true;
        await onUnscheduled?.();
      }
      await abortableSleep(this.#pollMs, signal);
    }
  }
}

const INPUT_END = 'PORTFARM_RUNNER_INPUT';

/**
 * The startup script Orchard's worker types into a login shell over SSH (after `set -e`): the
 * runner replaces the shell, so the script lives exactly as long as the runner. Its input (the
 * JIT config) goes in a quoted here-document, so it is the command's stdin, never its argv.
 */
export function startupScript(startup: StartupCommand): string {
  const input = startup.input.endsWith('\n') || startup.input === '' ? startup.input : `${startup.input}\n`;
  if (input.split('\n').includes(INPUT_END)) {
    throw new VmBackendError(`the startup command's input contains the line ${INPUT_END}, which would end its here-document early`, { retryable: false });
  }
  return `exec ${startup.argv.map(quoteShell).join(' ')} <<'${INPUT_END}'\n${input}${INPUT_END}\n`;
}

function isIpAnswer(body: unknown): body is { readonly ip: string } {
  return typeof body === 'object' && body !== null && 'ip' in body && typeof body.ip === 'string' && /^[0-9a-f.:]+$/i.test(body.ip);
}

function quoteShell(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
