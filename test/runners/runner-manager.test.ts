import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmBackendError } from '../../controller/runners/backends/vm-backend.ts';
import { createRunnerFarm, messagesOf, PLATFORM_14, PLATFORM_15, waitFor } from './runner-farm.ts';

const VM_NAME = /^portfarm-b1-1-[a-z0-9]{4}$/;

test('full lifecycle: queued job → clone, boot, JIT runner, job, then no VM and no registration', async () => {
  const { manager, backend, registry, github, logs } = createRunnerFarm();
  await manager.start();
  const job = github.queue('b1', '15_arm64');
  await manager.whenSettled('b1');
  assert.equal(job.state, 'completed');
  assert.match(job.runnerName ?? '', VM_NAME);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  // The ephemeral runner removed itself after its job, so teardown finds nothing to delete.
  assert.deepEqual(registry.calls.map((c) => c.replace(/-[a-z0-9]{4}$/, '-XXXX')), ['generate portfarm-b1-1-XXXX']);
  assert.deepEqual(messagesOf(logs, 'b1'), [
    'cloning VM',
    'VM reachable',
    'runner registered',
    'job taken by its runner',
    'job completed; tearing down',
    'VM destroyed and registration gone',
  ]);
  const registered = logs.find((l) => l.msg === 'runner registered');
  assert.deepEqual(registered?.['labels'], ['self-hosted', '15_arm64', 'macos-15', 'portfarm-build-b1']);
  assert.equal(registered['vmId'], job.runnerName);
  assert.equal(JSON.stringify(logs).includes(backend.runnerStarts[0]?.encodedJitConfig ?? 'none'), false, 'the JIT config is a secret and never logged');
  await manager.stop();
});

test('at most maxVms VMs per host under 10 simultaneous jobs, served in queue order', async () => {
  const { manager, backend, github } = createRunnerFarm();
  let most = 0;
  const cloneOrder: string[] = [];
  const observe = backend.runnerStarts;
  github.behaviour.autoComplete = false;
  await manager.start();
  const ids = Array.from({ length: 10 }, (_, i) => `b${i}`);
  for (const id of ids) github.queue(id, '15_arm64');
  // Each time two runners hold the slots, complete the older job; the next queued build gets the slot.
  for (let done = 0; done < ids.length; done += 1) {
    await waitFor(() => observe.length > done);
    most = Math.max(most, backend.vmIds().length);
    const vmId = observe[done]?.vmId ?? '';
    cloneOrder.push(vmId.split('-')[1] ?? '');
    await waitFor(() => github.jobs.some((j) => j.runnerName === vmId));
    const job = github.jobs.find((j) => j.runnerName === vmId);
    github.complete(job?.buildId ?? '');
    await manager.whenSettled(job?.buildId ?? '');
  }
  assert.equal(most, 2);
  assert.deepEqual(cloneOrder, ids);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

test('one host serving two platforms keeps one cap of 2 across both', async () => {
  const { manager, backend, github } = createRunnerFarm({ platforms: [PLATFORM_15, PLATFORM_14] });
  github.behaviour.autoComplete = false;
  await manager.start();
  for (let i = 0; i < 3; i += 1) {
    github.queue(`a${i}`, '15_arm64');
    github.queue(`x${i}`, '14_x86_64');
  }
  await waitFor(() => backend.runnerStarts.length === 2);
  assert.deepEqual(backend.vmIds().map((v) => v.split('-')[1]), ['a0', 'x0']);
  assert.deepEqual(manager.leases().filter((l) => l.phase === 'waiting-slot').map((l) => l.buildId), ['a1', 'x1', 'a2', 'x2']);
  const host = manager.hostsStatus()[0];
  assert.deepEqual(host?.platforms, ['15_arm64', '14_x86_64']);
  assert.equal(host.slots.length, 2);
  await manager.stop();
});

test('PR jobs (ports-pr.yml labels) get VMs on the same hosts but leave one of the 2 slots to master builds', async () => {
  const { manager, backend, github } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  // A PR's list job and two matrix jobs arrive first, then a master builder.
  github.queue('pr-9100-list', '15_arm64');
  github.queue('pr-9100-0', '15_arm64');
  github.queue('pr-9100-1', '15_arm64');
  github.queue('b1', '15_arm64');
  await waitFor(() => backend.runnerStarts.length === 2);
  assert.deepEqual(backend.vmIds().map((v) => v.split('-').slice(1, -2).join('-')).sort(), ['b1', 'pr-9100-list']);
  assert.deepEqual(manager.leases().filter((l) => l.phase === 'waiting-slot').map((l) => l.buildId), ['pr-9100-0', 'pr-9100-1']);
  // The master build ends: its slot may not go to a second PR VM; the PR job ends: the next PR job gets it.
  github.complete('b1');
  await manager.whenSettled('b1');
  assert.equal(backend.vmIds().length, 1);
  github.complete('pr-9100-list');
  await manager.whenSettled('pr-9100-list');
  await waitFor(() => backend.runnerStarts.length === 3);
  assert.deepEqual(backend.vmIds().map((v) => v.split('-').slice(1, -2).join('-')), ['pr-9100-0']);
  await manager.stop();
});

test('unique labels route each job to its own VM', async () => {
  const { manager, github } = createRunnerFarm();
  await manager.start();
  const first = github.queue('r1', '15_arm64');
  const second = github.queue('r2', '15_arm64');
  await Promise.all([manager.whenSettled('r1'), manager.whenSettled('r2')]);
  assert.match(first.runnerName ?? '', /^portfarm-r1-1-/);
  assert.match(second.runnerName ?? '', /^portfarm-r2-1-/);
  await manager.stop();
});

test('a retryable clone failure is retried with a fresh VM name; a permanent one fails the build at once', async () => {
  const { manager, backend, registry, github, failures, nextFailure, logs } = createRunnerFarm();
  await manager.start();
  backend.failNext('clone', new VmBackendError('disk busy', { retryable: true }));
  const job = github.queue('c1', '15_arm64');
  await manager.whenSettled('c1');
  assert.match(job.runnerName ?? '', /^portfarm-c1-2-/);
  assert.deepEqual(messagesOf(logs, 'c1').slice(0, 4), ['cloning VM', 'VM destroyed', 'attempt failed; retrying', 'cloning VM']);
  backend.failNext('clone', new VmBackendError('image macos-15-base is corrupt', { retryable: false }));
  const failed = nextFailure();
  github.queue('c2', '15_arm64');
  assert.deepEqual(await failed, {
    buildId: 'c2',
    platform: '15_arm64',
    attempts: 1,
    reason: 'vm-backend: the VM backend failed: image macos-15-base is corrupt',
    retryable: false,
  });
  await manager.whenSettled('c2');
  assert.equal(failures.length, 1);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  const metrics = await manager.metrics.registry.metrics();
  assert.match(metrics, /^portfarm_runner_retries_total\{platform="15_arm64",reason="vm-backend"\} 1$/m);
  assert.match(metrics, /^portfarm_runner_builds_failed_total\{platform="15_arm64",reason="vm-backend"\} 1$/m);
  await manager.stop();
});

test('boot timeout: retried, then the build fails visibly with no VM and no registration left', async () => {
  const { manager, backend, registry, github, nextFailure } = createRunnerFarm({
    deadlines: { cloneMs: 5_000, bootMs: 20, runnerOnlineMs: 5_000, jobTakenMs: 5_000, warmIdleMs: 5_000 },
  });
  await manager.start();
  backend.neverBoot = true;
  const failed = nextFailure();
  github.queue('t1', '15_arm64');
  const failure = await failed;
  await manager.whenSettled('t1');
  assert.equal(failure.attempts, 2);
  assert.equal(failure.reason, 'vm-backend: the VM backend failed: VM "' + (failure.reason.match(/portfarm-t1-2-[a-z0-9]{4}/)?.[0] ?? '?') + '" was not reachable within 20 ms');
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  await manager.stop();
});

test('runner never online: the watchdog destroys, retries, then fails the build', async () => {
  const { manager, backend, registry, github, nextFailure, logs } = createRunnerFarm({
    deadlines: { cloneMs: 5_000, bootMs: 5_000, runnerOnlineMs: 30, jobTakenMs: 5_000, warmIdleMs: 5_000 },
  });
  github.behaviour.comesOnline = false;
  await manager.start();
  const failed = nextFailure();
  github.queue('n1', '15_arm64');
  assert.equal((await failed).reason, 'runner-not-online: the runner did not come online within 30 ms (actions/runner#3621)');
  await manager.whenSettled('n1');
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  assert.equal(registry.calls.filter((c) => c.startsWith('delete')).length, 2);
  assert.equal(logs.filter((l) => l.msg === 'watchdog: deadline passed' && l['reason'] === 'runner-not-online').length, 2);
  await manager.stop();
});

test('job never taken: an online idle runner is destroyed and deregistered, then the build fails', async () => {
  const { manager, backend, registry, github, nextFailure } = createRunnerFarm({
    deadlines: { cloneMs: 5_000, bootMs: 5_000, runnerOnlineMs: 5_000, jobTakenMs: 30, warmIdleMs: 5_000 },
  });
  github.behaviour.takesJobs = false;
  await manager.start();
  const failed = nextFailure();
  github.queue('j1', '15_arm64');
  assert.equal((await failed).reason, 'job-not-taken: the runner was online but took no job within 30 ms');
  await manager.whenSettled('j1');
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  await manager.stop();
});

test('job cancelled while its VM boots: VM destroyed, nothing registered, no failure reported', async () => {
  const { manager, backend, registry, github, failures, logs } = createRunnerFarm();
  backend.bootMs = 60_000;
  await manager.start();
  github.queue('x1', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'booting');
  github.cancel('x1');
  await manager.whenSettled('x1');
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  assert.deepEqual(registry.calls, []);
  assert.deepEqual(failures, []);
  assert.deepEqual(messagesOf(logs, 'x1'), ['cloning VM', 'job completed; tearing down', 'VM destroyed']);
  await manager.stop();
});

test('a queued event for a job already taken or completed starts no VM (terraform-aws-github-runner #2306)', async () => {
  const { manager, backend, github } = createRunnerFarm();
  await manager.start();
  const job = github.queue('d1', '15_arm64');
  await manager.whenSettled('d1');
  const redelivered = manager.handleWorkflowJob({ action: 'queued', jobId: job.jobId, runId: job.runId, runAttempt: 1, labels: job.labels, runnerId: null, runnerName: null, conclusion: null });
  assert.equal(redelivered, 'duplicate');
  assert.deepEqual(manager.leases(), []);
  assert.equal(backend.runnerStarts.length, 1);
  const foreign = manager.handleWorkflowJob({ action: 'queued', jobId: 9, runId: 9, runAttempt: 1, labels: ['self-hosted', 'linux'], runnerId: null, runnerName: null, conclusion: null });
  assert.equal(foreign, 'ignored');
  await manager.stop();
});

test('a job taken by another runner releases this build’s VM', async () => {
  const { manager, backend, registry, github } = createRunnerFarm();
  backend.bootMs = 60_000;
  await manager.start();
  const job = github.queue('o1', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'booting');
  manager.handleWorkflowJob({ action: 'in_progress', jobId: job.jobId, runId: job.runId, runAttempt: 1, labels: job.labels, runnerId: 77, runnerName: 'someone-else', conclusion: null });
  await manager.whenSettled('o1');
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  await manager.stop();
});

test('a job taken by another runner releases this VM at once: no wait for its boot, no failure reported, cloned once', async () => {
  // The boot would outlast the boot deadline (5 s): only a release on the event itself settles the build sooner.
  const { manager, backend, registry, github, failures, logs } = createRunnerFarm();
  backend.bootMs = 60_000;
  await manager.start();
  github.queue('o2', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'booting');
  const started = Date.now();
  // GitHub gave the job to some other runner whose labels also matched (a VM of an earlier attempt, say).
  github.takeElsewhere('o2', { id: 77, name: 'someone-else' });
  await manager.whenSettled('o2');
  assert.ok(Date.now() - started < 4_000, `released after ${String(Date.now() - started)} ms, not at once`);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.names(), []);
  assert.deepEqual(failures, []);
  assert.equal(messagesOf(logs, 'o2').filter((m) => m === 'cloning VM').length, 1);
  assert.deepEqual(manager.leases(), []);
  await manager.stop();
});

test('a registration GitHub made but whose answer was lost is deleted by name when the attempt is torn down', async () => {
  const { manager, backend, registry, github, logs } = createRunnerFarm();
  await manager.start();
  registry.loseNextAnswers(1);
  const job = github.queue('r1', '15_arm64');
  await manager.whenSettled('r1');
  assert.equal(job.state, 'completed');
  assert.match(job.runnerName ?? '', /^portfarm-r1-2-/);
  assert.deepEqual(registry.calls.map((c) => c.replace(/-[a-z0-9]{4}$/, '-XXXX')), ['generate portfarm-r1-1-XXXX', 'delete 1', 'generate portfarm-r1-2-XXXX']);
  assert.deepEqual(registry.names(), [], 'no registration is left for reconcile to find');
  assert.deepEqual(backend.vmIds(), []);
  assert.ok(messagesOf(logs, 'r1').includes('GitHub made a registration whose answer was lost; deleted it'));
  await manager.stop();
});
