import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlatformConfig } from '../../controller/config/config-schema.ts';
import { OrchardVmBackend, startupScript } from '../../controller/runners/backends/orchard-vm-backend.ts';
import { VmBackendError } from '../../controller/runners/backends/vm-backend.ts';
import type { RunnerStartHook } from '../../controller/runners/backends/fake-vm-backend.ts';
import { DEFAULT_RUNNER_COMMAND } from '../../controller/runners/runner-command.ts';
import { createRunnerFarm, messagesOf, waitFor } from './runner-farm.ts';
import { startOrchardDouble, type OrchardDouble, type OrchardDoubleOptions } from './orchard-double/orchard-double.ts';

const IMAGE = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';
const SERVICE_ACCOUNT = { name: 'portfarm', token: 'orchard-test-token' };
const MINI_1 = { name: 'mini-1', address: '10.0.0.21' };
const signal = (): AbortSignal => AbortSignal.timeout(20_000);

const PLATFORM_ORCHARD: PlatformConfig = {
  name: '15_arm64',
  labels: ['macos-15'],
  image: IMAGE,
  parallelBuilds: 1,
  backend: 'orchard',
  hosts: [{ name: 'mini-1', address: '10.0.0.21', maxVms: 2 }],
};

async function withOrchard(
  body: (orchard: { double: OrchardDouble; backend: OrchardVmBackend }) => Promise<void>,
  options: Partial<OrchardDoubleOptions> = {},
): Promise<void> {
  const double = await startOrchardDouble({
    images: [IMAGE],
    workers: [
      { name: 'mini-1', labels: { 'portfarm-host': 'mini-1' } },
      { name: 'mini-2', labels: { 'portfarm-host': 'mini-2' } },
    ],
    serviceAccount: SERVICE_ACCOUNT,
    ...options,
  });
  const backend = new OrchardVmBackend({ url: double.url, serviceAccountName: SERVICE_ACCOUNT.name, serviceAccountToken: SERVICE_ACCOUNT.token, pollMs: 5, cpu: 4, memoryMiB: 8192 });
  try {
    await body({ double, backend });
  } finally {
    await double.close();
  }
}

/** What the script's runner command reads on stdin (the JIT config): the here-document's one line. */
function jitConfigOf(scriptContent: string): string {
  const match = /<<'PORTFARM_RUNNER_INPUT'\n([^\n]*)\nPORTFARM_RUNNER_INPUT\n$/.exec(scriptContent);
  return match?.[1] ?? '';
}

test('clone sends one POST /v1/vms pinned to the host, with the runner as its startup script, then waits while pending', () =>
  withOrchard(async ({ double, backend }) => {
    const vmId = 'portfarm-b1-1-abcd';
    await backend.clone({ vmId, image: IMAGE, host: MINI_1, startupCommand: { argv: DEFAULT_RUNNER_COMMAND, input: 'eyJhIjoxfQ==\n' } }, signal());
    const vm = double.vm(vmId) ?? {};
    assert.deepEqual(
      { name: vm['name'], image: vm['image'], cpu: vm['cpu'], memory: vm['memory'], headless: vm['headless'], restart: vm['restart_policy'], labels: vm['labels'], worker: vm['worker'], status: vm['status'] },
      { name: vmId, image: IMAGE, cpu: 4, memory: 8192, headless: true, restart: 'Never', labels: { 'portfarm-host': 'mini-1' }, worker: 'mini-1', status: 'running' },
    );
    // The JIT config is the runner command's stdin (a here-document), never a word of its command line.
    assert.deepEqual(vm['startup_script'], {
      script_content:
        "exec /bin/sh -c 'IFS= read -r ACTIONS_RUNNER_INPUT_JITCONFIG && export ACTIONS_RUNNER_INPUT_JITCONFIG && exec /Users/admin/actions-runner/run.sh' <<'PORTFARM_RUNNER_INPUT'\neyJhIjoxfQ==\nPORTFARM_RUNNER_INPUT\n",
    });
    assert.deepEqual(double.requests, ['POST /v1/vms', `GET /v1/vms/${vmId}`, `GET /v1/vms/${vmId}`, `GET /v1/vms/${vmId}`]);
    assert.deepEqual(await backend.waitReachable(vmId, 1_000, signal()), { address: '192.168.64.2' });
    await backend.destroy(vmId, signal());
    assert.deepEqual(double.vmNames(), []);
  }));

test('the startup script quotes every word for the login shell and gives the input as a quoted here-document', () => {
  assert.equal(startupScript({ argv: ['run.sh', "a'b c"], input: 'x$y' }), "exec run.sh 'a'\\''b c' <<'PORTFARM_RUNNER_INPUT'\nx$y\nPORTFARM_RUNNER_INPUT\n");
  assert.throws(() => startupScript({ argv: ['cat'], input: 'a\nPORTFARM_RUNNER_INPUT\nrm -rf /\n' }), /would end its here-document early/);
});

test('a wrong service account token is a permanent error that names the fix', () =>
  withOrchard(async ({ double }) => {
    const backend = new OrchardVmBackend({ url: double.url, serviceAccountName: 'portfarm', serviceAccountToken: 'wrong', pollMs: 5 });
    await assert.rejects(backend.list(MINI_1, signal()), (error: unknown) => {
      assert.ok(error instanceof VmBackendError);
      assert.equal(error.retryable, false);
      assert.equal(error.message, 'Orchard GET /v1/vms answered 401 Unauthorized: check the service account name and token, and that it has the compute:read and compute:write roles');
      return true;
    });
  }));

test('an unreachable controller is retryable and names the URL', async () => {
  const double = await startOrchardDouble({ images: [IMAGE], workers: [], serviceAccount: SERVICE_ACCOUNT });
  const url = double.url;
  await double.close();
  const backend = new OrchardVmBackend({ url, serviceAccountName: SERVICE_ACCOUNT.name, serviceAccountToken: SERVICE_ACCOUNT.token });
  await assert.rejects(backend.destroy('portfarm-b1-1-abcd', signal()), (error: unknown) => {
    assert.ok(error instanceof VmBackendError);
    assert.equal(error.retryable, true);
    assert.equal(error.message, `Orchard DELETE /v1/vms/portfarm-b1-1-abcd: could not reach the Orchard controller at ${url}/v1 (is it running, and is the URL right?)`);
    return true;
  });
});

test('a 503 while waiting for the IP is looked at again; a 5xx elsewhere is retryable', () =>
  withOrchard(async ({ double, backend }) => {
    const vmId = 'portfarm-b2-1-abcd';
    await backend.clone({ vmId, image: IMAGE, host: MINI_1 }, signal());
    await backend.start(vmId, signal());
    double.failNextRequests(2, 503);
    assert.deepEqual(await backend.waitReachable(vmId, 5_000, signal()), { address: '192.168.64.2' });
    assert.equal(double.requests.filter((r) => r.startsWith(`GET /v1/vms/${vmId}/ip`)).length, 3);
    double.failNextRequests(1, 502);
    await assert.rejects(backend.destroy(vmId, signal()), (error: unknown) => error instanceof VmBackendError && error.retryable && error.message === `Orchard DELETE /v1/vms/${vmId} answered 502`);
    await backend.destroy(vmId, signal());
  }));

test('a VM that fails on its worker: the clone rejects retryable with Orchard\'s status message and deletes it', () =>
  withOrchard(async ({ double, backend }) => {
    const vmId = 'portfarm-b3-1-abcd';
    double.failVm(vmId, 'VM failed: VM exited unexpectedly');
    await assert.rejects(backend.clone({ vmId, image: IMAGE, host: MINI_1 }, signal()), (error: unknown) => {
      assert.ok(error instanceof VmBackendError);
      assert.equal(error.retryable, true);
      assert.equal(error.message, `Orchard: creating VM "${vmId}" from "${IMAGE}" for host mini-1: the VM failed on worker mini-1: VM failed: VM exited unexpectedly`);
      return true;
    });
    assert.deepEqual(double.vmNames(), []);
    assert.equal(double.requests.at(-1), `DELETE /v1/vms/${vmId}`);
  }));

test('a missing image fails the clone permanently, names the image, and deletes the failed VM', () =>
  withOrchard(async ({ double, backend }) => {
    const vmId = 'portfarm-b4-1-abcd';
    await assert.rejects(backend.clone({ vmId, image: 'ghcr.io/nobody/nothing:1', host: MINI_1 }, signal()), (error: unknown) => {
      assert.ok(error instanceof VmBackendError);
      assert.equal(error.retryable, false);
      assert.equal(
        error.message,
        `Orchard: creating VM "${vmId}" from "ghcr.io/nobody/nothing:1" for host mini-1: the worker could not pull the image (failed to pull the VM: tart command returned non-zero exit code: "Error: ghcr.io/nobody/nothing:1: manifest unknown"); check the image name and that the workers can reach its registry`,
      );
      return true;
    });
    assert.deepEqual(double.vmNames(), []);
  }));

test('a host no worker is labelled for fails the clone permanently with the worker flag to add', () =>
  withOrchard(async ({ double, backend }) => {
    const vmId = 'portfarm-b7-1-abcd';
    await assert.rejects(backend.clone({ vmId, image: IMAGE, host: { name: 'mini-9', address: '10.0.0.29' } }, signal()), (error: unknown) => {
      assert.ok(error instanceof VmBackendError);
      assert.equal(error.retryable, false);
      assert.equal(
        error.message,
        `Orchard: creating VM "${vmId}" from "${IMAGE}" for host mini-9: no Orchard worker has the label portfarm-host=mini-9, so the VM can never be scheduled; start the worker for this host with \`orchard worker run --labels portfarm-host=mini-9 ...\``,
      );
      return true;
    });
    assert.deepEqual(double.vmNames(), []);
    assert.deepEqual(double.requests, ['POST /v1/vms', `GET /v1/vms/${vmId}`, 'GET /v1/workers', `DELETE /v1/vms/${vmId}`]);
  }));

test('a labelled worker that is full keeps the VM pending (a busy cluster is not an error)', () =>
  withOrchard(
    async ({ double, backend }) => {
      const first = 'portfarm-b8-1-abcd';
      await backend.clone({ vmId: first, image: IMAGE, host: MINI_1 }, signal());
      const second = 'portfarm-b8-2-abcd';
      const cloning = backend.clone({ vmId: second, image: IMAGE, host: MINI_1 }, signal());
      await waitFor(() => double.requests.filter((r) => r === `GET /v1/vms/${second}`).length >= 3, 'three polls of the pending VM');
      assert.equal(double.vm(second)?.['status'], 'pending');
      assert.equal(double.requests.filter((r) => r === 'GET /v1/workers').length, 1, 'only the clone that saw its VM unscheduled looks at the workers, once');
      await backend.destroy(first, signal());
      await cloning;
      assert.equal(double.vm(second)?.['worker'], 'mini-1');
    },
    { workers: [{ name: 'mini-1', labels: { 'portfarm-host': 'mini-1' }, tartVms: 1 }] },
  ));

test('list(host) shows only portfarm VMs pinned to that host, pending ones as stopped', () =>
  withOrchard(
    async ({ double, backend }) => {
      const auth = `Basic ${Buffer.from(`${SERVICE_ACCOUNT.name}:${SERVICE_ACCOUNT.token}`).toString('base64')}`;
      const post = (body: object): Promise<Response> =>
        fetch(`${double.url}/v1/vms`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await post({ name: 'someone-elses-vm', image: IMAGE, labels: { 'portfarm-host': 'mini-1' } })).status, 200);
      assert.equal((await post({ name: 'portfarm-b5-1-mini2', image: IMAGE, labels: { 'portfarm-host': 'mini-2' } })).status, 200);
      assert.equal((await post({ name: 'portfarm-b5-1-aaaa', image: IMAGE, labels: { 'portfarm-host': 'mini-1' } })).status, 200);
      assert.equal((await post({ name: 'portfarm-b5-1-aaaa', image: IMAGE })).status, 409);
      assert.deepEqual(await backend.list(MINI_1, signal()), [{ vmId: 'portfarm-b5-1-aaaa', host: 'mini-1', state: 'stopped', image: IMAGE }]);
      assert.deepEqual((await backend.list({ name: 'mini-2', address: '10.0.0.22' }, signal())).map((v) => v.vmId), ['portfarm-b5-1-mini2']);
    },
    { pollsToRun: 100 },
  ));

test('exec is refused permanently and says why', () =>
  withOrchard(async ({ backend }) => {
    await assert.rejects(backend.exec('portfarm-b6-1-abcd', ['true'], { signal: signal() }), (error: unknown) => {
      assert.ok(error instanceof VmBackendError);
      assert.equal(error.retryable, false);
      assert.match(error.message, /^the orchard backend runs no commands in VM "portfarm-b6-1-abcd": Orchard's exec is a WebSocket session/);
      return true;
    });
  }));

test('runner manager on orchard: register first, runner from the startup script, job, then no VM and no registration', async () => {
  let standIn: RunnerStartHook | undefined;
  await withOrchard(
    async ({ double, backend }) => {
      const { manager, registry, github, logs } = createRunnerFarm({ platforms: [PLATFORM_ORCHARD], backends: { orchard: backend } });
      standIn = github.runnerStandIn;
      await manager.start();
      const job = github.queue('b1', '15_arm64');
      await manager.whenSettled('b1');
      assert.equal(job.state, 'completed');
      assert.match(job.runnerName ?? '', /^portfarm-b1-1-[a-z0-9]{4}$/);
      assert.deepEqual(double.vmNames(), []);
      assert.deepEqual(registry.names(), []);
      // The runner starts as the VM boots: here it took its job (and finished it) before the clone call returned.
      assert.deepEqual(messagesOf(logs, 'b1'), [
        'runner registered',
        'cloning VM',
        'job taken by its runner',
        'job completed; tearing down',
        'VM destroyed and registration gone',
      ]);
      const created = double.requests.filter((r) => r.startsWith('POST '));
      assert.deepEqual(created, ['POST /v1/vms']);
      assert.equal(double.requests.at(-1)?.startsWith(`DELETE /v1/vms/${job.runnerName ?? ''}`), true);
      // Every JIT config of the in-memory registry is base64 of `{"id":…`.
      assert.equal(JSON.stringify(logs).includes(Buffer.from('{"id":').toString('base64')), false, 'the JIT config is a secret and never logged');
      await manager.stop();
    },
    {
      onStartupScript: (script, vmName, scriptSignal) => {
        assert.ok(standIn !== undefined);
        return standIn(jitConfigOf(script.scriptContent), vmName, scriptSignal);
      },
    },
  );
});

test('runner manager on orchard: a job taken while the VM boots stays running (the manager does not step back to starting-runner)', async () => {
  let standIn: RunnerStartHook | undefined;
  await withOrchard(
    async ({ double, backend }) => {
      const { manager, registry, github, logs } = createRunnerFarm({ platforms: [PLATFORM_ORCHARD], backends: { orchard: backend } });
      standIn = github.runnerStandIn;
      github.behaviour.autoComplete = false;
      await manager.start();
      const job = github.queue('b3', '15_arm64');
      await waitFor(() => logs.some((l) => l['buildId'] === 'b3' && l.msg === 'VM reachable'), 'VM reachable');
      assert.equal(job.state, 'in_progress');
      assert.deepEqual(manager.leases().map((l) => [l.buildId, l.phase]), [['b3', 'running']]);
      await manager.watchdogTick();
      assert.deepEqual(manager.leases().map((l) => [l.buildId, l.phase]), [['b3', 'running']]);
      github.complete('b3');
      await manager.whenSettled('b3');
      assert.deepEqual(double.vmNames(), []);
      assert.deepEqual(registry.names(), []);
      await manager.stop();
    },
    {
      onStartupScript: (script, vmName, scriptSignal) => {
        assert.ok(standIn !== undefined);
        return standIn(jitConfigOf(script.scriptContent), vmName, scriptSignal);
      },
    },
  );
});

test('runner manager on orchard: a missing image fails the build permanently and leaves no VM and no registration', async () => {
  await withOrchard(async ({ double, backend }) => {
    const { manager, registry, github, nextFailure } = createRunnerFarm({ platforms: [{ ...PLATFORM_ORCHARD, image: 'ghcr.io/nobody/nothing:1' }], backends: { orchard: backend } });
    await manager.start();
    const failed = nextFailure();
    github.queue('b2', '15_arm64');
    const failure = await failed;
    await manager.whenSettled('b2');
    assert.deepEqual({ build: failure.buildId, attempts: failure.attempts, retryable: failure.retryable }, { build: 'b2', attempts: 1, retryable: false });
    assert.match(failure.reason, /^vm-backend: the VM backend failed: Orchard: creating VM "portfarm-b2-1-[a-z0-9]{4}" from "ghcr.io\/nobody\/nothing:1" for host mini-1: the worker could not pull the image/);
    assert.deepEqual(double.vmNames(), []);
    assert.deepEqual(registry.names(), []);
    assert.deepEqual(registry.calls.map((c) => c.replace(/-[a-z0-9]{4}$/, '-XXXX')), ['generate portfarm-b2-1-XXXX', 'delete 1']);
    await manager.stop();
  });
});
