import type { ExecResult, HostRef, VmBackend, VmInfo } from '../../controller/runners/backends/vm-backend.ts';
import { VmBackendError } from '../../controller/runners/backends/vm-backend.ts';

export type ExecHandler = (vmId: string, argv: readonly string[]) => ExecResult | Promise<ExecResult>;

/**
 * A VmBackend test double that records every call in order and answers exec through a handler
 * (the issue-6 fake backend did not exist yet when this was written).
 */
export class RecordingVmBackend implements VmBackend {
  readonly name = 'fake' as const;
  readonly calls: string[] = [];
  readonly vms = new Map<string, { host: string; image: string; state: 'stopped' | 'running' }>();
  handler: ExecHandler;

  constructor(handler: ExecHandler) {
    this.handler = handler;
  }

  clone(spec: { readonly vmId: string; readonly image: string; readonly host: HostRef }, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.calls.push(`clone ${spec.image} ${spec.vmId} on ${spec.host.name}`);
    if (this.vms.has(spec.vmId)) return Promise.reject(new VmBackendError(`VM ${spec.vmId} exists`, { retryable: false, vmId: spec.vmId }));
    this.vms.set(spec.vmId, { host: spec.host.name, image: spec.image, state: 'stopped' });
    return Promise.resolve();
  }

  start(vmId: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.calls.push(`start ${vmId}`);
    const vm = this.vms.get(vmId);
    if (vm === undefined) return Promise.reject(new VmBackendError(`no VM ${vmId}`, { retryable: false, vmId }));
    vm.state = 'running';
    return Promise.resolve();
  }

  waitReachable(vmId: string, _deadlineMs: number, signal: AbortSignal): Promise<{ readonly address: string }> {
    signal.throwIfAborted();
    this.calls.push(`waitReachable ${vmId}`);
    if (this.vms.get(vmId)?.state !== 'running') return Promise.reject(new VmBackendError(`${vmId} is not running`, { retryable: true, vmId }));
    return Promise.resolve({ address: '192.0.2.10' });
  }

  exec(vmId: string, argv: readonly string[], options: { readonly signal: AbortSignal }): Promise<ExecResult> {
    options.signal.throwIfAborted();
    this.calls.push(`exec ${vmId} ${argv.join(' ')}`);
    if (this.vms.get(vmId)?.state !== 'running') return Promise.reject(new VmBackendError(`${vmId} is not running`, { retryable: true, vmId }));
    return Promise.resolve(this.handler(vmId, argv));
  }

  destroy(vmId: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.calls.push(`destroy ${vmId}`);
    this.vms.delete(vmId);
    return Promise.resolve();
  }

  list(host: HostRef, signal: AbortSignal): Promise<readonly VmInfo[]> {
    signal.throwIfAborted();
    this.calls.push(`list ${host.name}`);
    return Promise.resolve(
      [...this.vms.entries()].filter(([, vm]) => vm.host === host.name).map(([vmId, vm]) => ({ vmId, host: vm.host, state: vm.state, image: vm.image })),
    );
  }
}
