import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRunnerFarm, messagesOf, waitFor } from './runner-farm.ts';

const host = { name: 'mini-1', address: '10.0.0.21' };
const never = new AbortController().signal;

test('start reaps orphans on both sides and adopts a VM whose runner is mid-job; its completion tears it down', async () => {
  // The adopted VM's build was dispatched as run 5 before the restart.
  const { manager, backend, registry, logs } = createRunnerFarm({ recordedRunOf: (id) => (id === 'busy' ? { runId: 5, runAttempt: null } : null) });
  // Left by a previous controller: a clone, an idle registered VM, a registration without VM, a VM running a job.
  await backend.clone({ vmId: 'portfarm-old-1-aaaa', image: 'macos-15-base', host }, never);
  await backend.clone({ vmId: 'portfarm-idle-1-bbbb', image: 'macos-15-base', host }, never);
  await backend.start('portfarm-idle-1-bbbb', never);
  registry.add('portfarm-idle-1-bbbb', ['self-hosted', '15_arm64'], { status: 'online', busy: false });
  registry.add('portfarm-gone-1-cccc', ['self-hosted', '15_arm64'], { status: 'offline', busy: false });
  await backend.clone({ vmId: 'portfarm-busy-1-dddd', image: 'macos-15-base', host }, never);
  await backend.start('portfarm-busy-1-dddd', never);
  registry.add('portfarm-busy-1-dddd', ['self-hosted', '15_arm64', 'portfarm-build-busy'], { status: 'online', busy: true });
  registry.add('mac-studio-manual', ['self-hosted'], { status: 'online', busy: false });

  const plan = await manager.start();
  assert.deepEqual(plan.adopt.map((a) => a.vmId), ['portfarm-busy-1-dddd']);
  assert.deepEqual(backend.vmIds(), ['portfarm-busy-1-dddd']);
  assert.deepEqual(registry.names(), ['mac-studio-manual', 'portfarm-busy-1-dddd']);
  assert.deepEqual(
    logs.filter((l) => l.msg.startsWith('reaped') || l.msg.startsWith('deleted') || l.msg.startsWith('adopted')).map((l) => `${l.msg} ${String(l['vmId'] ?? l['runnerName'])} ${typeof l['reason'] === 'string' ? l['reason'] : ''}`),
    [
      'reaped orphan VM portfarm-idle-1-bbbb idle-vm-without-lease',
      'reaped orphan VM portfarm-old-1-aaaa vm-without-registration',
      'deleted orphan registration portfarm-gone-1-cccc registration-without-vm',
      'deleted orphan registration portfarm-idle-1-bbbb idle-vm-without-lease',
      'adopted a VM whose runner is running a job portfarm-busy-1-dddd ',
    ],
  );
  const metrics = await manager.metrics.registry.metrics();
  assert.match(metrics, /^portfarm_orphans_reaped_total\{kind="vm",reason="vm-without-registration"\} 1$/m);
  assert.match(metrics, /^portfarm_orphans_reaped_total\{kind="registration",reason="registration-without-vm"\} 1$/m);
  assert.equal(manager.hostsStatus()[0]?.slots[0]?.state, 'running');

  manager.handleWorkflowJob({ action: 'completed', jobId: 5, runId: 5, runAttempt: 1, labels: ['self-hosted', '15_arm64', 'portfarm-build-busy'], runnerId: 3, runnerName: 'portfarm-busy-1-dddd', conclusion: 'success' });
  await manager.whenSettled('busy');
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), ['mac-studio-manual']);
  assert.deepEqual(messagesOf(logs, 'busy'), ['adopted a VM whose runner is running a job', 'job completed; tearing down', 'VM destroyed and registration gone']);
  await manager.stop();
});

test('a running job whose registration vanished (missed completed webhook) is torn down by the watchdog', async () => {
  const { manager, backend, registry, github } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('m1', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'running');
  // The runner finished its one job and unregistered itself; the completed webhook never came.
  for (const runner of await registry.listRunners(never)) registry.finishJob(runner.id);
  await manager.whenSettled('m1');
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});
