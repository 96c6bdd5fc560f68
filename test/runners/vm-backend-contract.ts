import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VmBackendError, type HostRef, type VmBackend } from '../../controller/runners/backends/vm-backend.ts';

/** One backend under test: a fresh instance, an image that exists, the host to use, and cleanup. */
export interface ContractSubject {
  readonly backend: VmBackend;
  readonly image: string;
  readonly host: HostRef;
  /** The deadline to give `waitReachable` for a VM that boots. */
  readonly bootDeadlineMs: number;
  readonly cleanup: () => Promise<void>;
  /** For a backend without exec: the VMs whose startup command runs now, as its double sees them. */
  readonly runningStartupCommands?: () => readonly string[];
}

/**
 * What a backend can do, declared rather than skipped silently: the cases that depend on a
 * capability check the declared behaviour instead (e.g. that exec rejects permanently).
 */
export interface ContractCapabilities {
  /** Runs commands in a VM with `exec` (default true). false: the runner starts from the VM's startup script. */
  readonly exec?: boolean;
  /** `clone` leaves a stopped VM that `start` boots (default true). false: the VM runs as soon as it is created (Orchard). */
  readonly stoppedClone?: boolean;
}

export interface ContractImplementation {
  readonly name: string;
  /** Why this backend cannot run here (the test is skipped with this reason), or undefined. */
  readonly skip?: string;
  readonly capabilities?: ContractCapabilities;
  readonly create: () => Promise<ContractSubject>;
}

const signal = (): AbortSignal => AbortSignal.timeout(20_000);

/** The contract every VmBackend honours; a new backend is one entry in the list of implementations. */
export function runVmBackendContract(implementation: ContractImplementation): void {
  // Cases use distinct VM names and fresh backends, so they run side by side (a CLI backend spends its time waiting on processes).
  describe(implementation.name, { concurrency: true }, () => {
    contractCases(implementation);
  });
}

function contractCases(implementation: ContractImplementation): void {
  const canExec = implementation.capabilities?.exec ?? true;
  const stoppedClone = implementation.capabilities?.stoppedClone ?? true;
  const it = (name: string, body: (subject: ContractSubject) => Promise<void>, unsupported?: string): void => {
    test(name, { skip: implementation.skip ?? unsupported ?? false }, async () => {
      const subject = await implementation.create();
      try {
        await body(subject);
      } finally {
        await subject.cleanup();
      }
    });
  };

  it('clone → start → reachable → exec → destroy, and list shows each step', async ({ backend, image, host, bootDeadlineMs }) => {
    const vmId = 'portfarm-contract1-1-aaaa';
    await backend.clone({ vmId, image, host }, signal());
    const cloned = await backend.list(host, signal());
    assert.deepEqual(cloned.map((v) => [v.vmId, v.host]), [[vmId, host.name]]);
    // A backend that runs VMs on creation may already report it running.
    assert.ok((stoppedClone ? ['stopped'] : ['stopped', 'running']).includes(cloned[0]?.state ?? 'none'), `state after clone: ${cloned[0]?.state ?? 'none'}`);
    await backend.start(vmId, signal());
    const { address } = await backend.waitReachable(vmId, bootDeadlineMs, signal());
    assert.match(address, /^[0-9a-f.:]+$/i);
    assert.deepEqual((await backend.list(host, signal())).map((v) => [v.vmId, v.state]), [[vmId, 'running']]);
    if (canExec) {
      assert.deepEqual(await backend.exec(vmId, ['echo', 'hello', 'farm'], { signal: signal() }), { exitCode: 0, stdout: 'hello farm\n', stderr: '' });
      assert.deepEqual(await backend.exec(vmId, ['cat'], { signal: signal(), input: 'from stdin' }), { exitCode: 0, stdout: 'from stdin', stderr: '' });
      assert.equal((await backend.exec(vmId, ['false'], { signal: signal() })).exitCode, 1);
    } else {
      await assert.rejects(backend.exec(vmId, ['echo', 'hello'], { signal: signal() }), (error: unknown) => error instanceof VmBackendError && !error.retryable);
    }
    await backend.destroy(vmId, signal());
    assert.deepEqual(await backend.list(host, signal()), []);
  });

  it('declared capabilities match the backend (no exec ⇔ the runner starts from the startup script)', ({ backend }) => {
    assert.equal(backend.runnerStart ?? 'exec', canExec ? 'exec' : 'startup-script');
    return Promise.resolve();
  });

  it('destroy is idempotent: a missing VM, a clone never started, the same VM twice', async ({ backend, image, host }) => {
    await backend.destroy('portfarm-never-1-aaaa', signal());
    const vmId = 'portfarm-contract2-1-aaaa';
    await backend.clone({ vmId, image, host }, signal());
    await backend.destroy(vmId, signal());
    await backend.destroy(vmId, signal());
    assert.deepEqual(await backend.list(host, signal()), []);
  });

  it('cloning a missing image fails permanently and leaves nothing', async ({ backend, host }) => {
    const vmId = 'portfarm-contract3-1-aaaa';
    await assert.rejects(backend.clone({ vmId, image: 'no-such-image', host }, signal()), (error: unknown) => {
      assert.ok(error instanceof VmBackendError, String(error));
      assert.equal(error.retryable, false);
      return true;
    });
    assert.deepEqual(await backend.list(host, signal()), []);
  });

  it('cloning onto an existing name fails permanently', async ({ backend, image, host }) => {
    const vmId = 'portfarm-contract4-1-aaaa';
    await backend.clone({ vmId, image, host }, signal());
    await assert.rejects(backend.clone({ vmId, image, host }, signal()), (error: unknown) => error instanceof VmBackendError && !error.retryable);
    await backend.destroy(vmId, signal());
  });

  it('exec in a VM that is not running fails permanently', async ({ backend, image, host }) => {
    const vmId = 'portfarm-contract5-1-aaaa';
    await backend.clone({ vmId, image, host }, signal());
    await assert.rejects(backend.exec(vmId, ['true'], { signal: signal() }), (error: unknown) => error instanceof VmBackendError && !error.retryable);
    await backend.destroy(vmId, signal());
  });

  it('a stopped VM is not reachable: waitReachable rejects retryable at its deadline', async ({ backend, image, host }) => {
    const vmId = 'portfarm-contract6-1-aaaa';
    await backend.clone({ vmId, image, host }, signal());
    await assert.rejects(backend.waitReachable(vmId, 50, signal()), (error: unknown) => error instanceof VmBackendError && error.retryable);
    await backend.destroy(vmId, signal());
  }, stoppedClone ? undefined : 'capability stoppedClone: false (this backend runs a VM as soon as it is created)');

  it('destroy ends a command running in the VM (the runner dies with its VM)', async ({ backend, image, host, bootDeadlineMs, runningStartupCommands }) => {
    const vmId = 'portfarm-contract7-1-aaaa';
    if (!canExec) {
      // Without exec the runner is the VM's startup command: it must run once the VM is up and end with it.
      assert.equal(backend.runnerStart, 'startup-script', 'a backend without exec declares runnerStart: startup-script');
      assert.ok(runningStartupCommands !== undefined, 'a backend without exec gives runningStartupCommands (what its double sees running)');
      await backend.clone({ vmId, image, host, startupCommand: { argv: ['sleep', '600'], input: 'x\n' } }, signal());
      await backend.start(vmId, signal());
      await backend.waitReachable(vmId, bootDeadlineMs, signal());
      assert.deepEqual(runningStartupCommands(), [vmId]);
      await backend.destroy(vmId, signal());
      assert.deepEqual(runningStartupCommands(), []);
      assert.deepEqual(await backend.list(host, signal()), []);
      return;
    }
    await backend.clone({ vmId, image, host }, signal());
    await backend.start(vmId, signal());
    await backend.waitReachable(vmId, bootDeadlineMs, signal());
    const running = backend.exec(vmId, ['sleep', '600'], { signal: signal(), input: 'x\n' }).then(
      (result) => `exit ${result.exitCode}`,
      (error: unknown) => (error instanceof VmBackendError ? 'VmBackendError' : String(error)),
    );
    await backend.destroy(vmId, signal());
    assert.match(await running, /^(exit [1-9]\d*|VmBackendError)$/);
    assert.deepEqual(await backend.list(host, signal()), []);
  });

  it('an aborted signal rejects without creating anything', async ({ backend, image, host }) => {
    const aborted = AbortSignal.abort(new Error('shutting down'));
    await assert.rejects(backend.clone({ vmId: 'portfarm-contract8-1-aaaa', image, host }, aborted), /shutting down/);
    assert.deepEqual(await backend.list(host, signal()), []);
  });
}
