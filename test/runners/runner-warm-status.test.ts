import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostSchema, runnerSchema } from '../../controller/status/status-snapshot.ts';
import { createRunnerFarm, PLATFORM_15, waitFor } from './runner-farm.ts';

test('warm start: the next build’s VM is cloned and booted ahead; its queued job claims it without a new clone', async () => {
  const { manager, backend, github, logs } = createRunnerFarm();
  backend.bootMs = 20;
  await manager.start();
  assert.equal(manager.warmStart('15_arm64', 'w1'), true);
  assert.equal(manager.warmStart('15_arm64', 'w1'), false, 'one warm VM per build');
  await waitFor(() => manager.leases()[0]?.phase === 'warm');
  const job = github.queue('w1', '15_arm64');
  await manager.whenSettled('w1');
  assert.match(job.runnerName ?? '', /^portfarm-w1-1-/);
  assert.equal(logs.filter((l) => l.msg === 'cloning VM').length, 1);
  assert.match(await manager.metrics.registry.metrics(), /^portfarm_job_queued_to_in_progress_seconds_count\{platform="15_arm64",warm="true"\} 1$/m);
  await manager.stop();
});

test('a warm VM gives its slot up to a queued job, and never takes a slot someone waits for', async () => {
  const single = { ...PLATFORM_15, hosts: [{ name: 'mini-1', address: '10.0.0.21', maxVms: 1 }] };
  const { manager, backend, github, logs } = createRunnerFarm({ platforms: [single] });
  github.behaviour.autoComplete = false;
  await manager.start();
  assert.equal(manager.warmStart('15_arm64', 'w2'), true);
  await waitFor(() => manager.leases()[0]?.phase === 'warm');
  github.queue('q1', '15_arm64');
  await waitFor(() => github.jobs[0]?.state === 'in_progress');
  assert.deepEqual(backend.vmIds().map((v) => v.split('-')[1]), ['q1']);
  assert.equal(logs.filter((l) => l.msg === 'evicting warm VM: a queued job needs its slot').length, 1);
  assert.equal(manager.warmStart('15_arm64', 'w3'), false, 'no free slot');
  github.complete('q1');
  await manager.whenSettled('q1');
  await manager.stop();
});

test('hostsStatus and runnersStatus produce the status-snapshot shapes; /metrics counts VMs by state', async () => {
  const now = Date.parse('2026-11-26T06:00:00.000Z');
  const { manager, github } = createRunnerFarm({ now: () => now, portOf: (id) => (id === 's1' ? 'curl' : null) });
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('s1', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'running');
  manager.warmStart('15_arm64', 's2');
  await waitFor(() => manager.leases()[1]?.phase === 'warm');
  await manager.watchdogTick();
  const [s1, s2] = manager.leases().map((l) => l.vmId ?? '');
  const hosts = manager.hostsStatus();
  assert.deepEqual(hosts, [
    {
      name: 'mini-1',
      address: '10.0.0.21',
      platforms: ['15_arm64'],
      maxVms: 2,
      diskFreeGiB: null,
      refusing: null,
      slots: [
        { index: 0, state: 'running', vmId: s1, buildId: 's1', platform: '15_arm64', port: 'curl', since: '2026-11-26T06:00:00.000Z', image: 'macos-15-base' },
        { index: 1, state: 'booting', vmId: s2, buildId: 's2', platform: '15_arm64', port: null, since: '2026-11-26T06:00:00.000Z', image: 'macos-15-base' },
      ],
    },
  ]);
  for (const host of hosts) hostSchema.parse(host);
  const runners = manager.runnersStatus();
  assert.deepEqual(runners, [
    {
      id: 1,
      name: s1,
      buildId: 's1',
      platform: '15_arm64',
      vmId: s1,
      status: 'online',
      busy: true,
      registeredAt: '2026-11-26T06:00:00.000Z',
      jobStartedAt: '2026-11-26T06:00:00.000Z',
      suspicious: null,
    },
  ]);
  for (const runner of runners) runnerSchema.parse(runner);
  const metrics = await manager.metrics.registry.metrics();
  assert.match(metrics, /^portfarm_vms\{host="mini-1",state="running"\} 1$/m);
  assert.match(metrics, /^portfarm_vms\{host="mini-1",state="booting"\} 1$/m);
  github.complete('s1');
  await manager.whenSettled('s1');
  await manager.stop();
});

test('a host refusing new VMs (disk short) gets none until it takes VMs again; the reason shows in hostsStatus', async () => {
  // The image rollout picks the image per build (chooseVmImage); the fake knows macos-14-base too.
  const { manager, backend, github, logs } = createRunnerFarm({ imageFor: (platform, buildId) => (buildId === 'a1' ? 'macos-14-base' : platform.image) });
  await manager.start();
  manager.setHostAdmission('mini-1', { diskFreeGiB: 12.5, refusing: 'disk short: 12.5 GiB free' });
  github.queue('a1', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'waiting-slot');
  const refusing = manager.hostsStatus()[0];
  assert.deepEqual([refusing?.diskFreeGiB, refusing?.refusing, refusing?.slots.map((s) => s.state)], [12.5, 'disk short: 12.5 GiB free', ['empty', 'empty']]);
  assert.deepEqual(backend.vmIds(), []);
  assert.throws(() => {
    manager.setHostAdmission('mac-9', { diskFreeGiB: null, refusing: null });
  }, /^Error: host "mac-9" is not configured; known: mini-1$/);
  manager.setHostAdmission('mini-1', { diskFreeGiB: 80, refusing: null });
  await manager.whenSettled('a1');
  assert.equal(github.jobs[0]?.state, 'completed');
  assert.deepEqual(logs.filter((l) => l.msg === 'cloning VM').map((l) => l['image']), ['macos-14-base']);
  await manager.stop();
});

test('a warm VM claimed by its job is warm no more: a job queued after it waits for the slot instead of evicting the running build', async () => {
  const single = { ...PLATFORM_15, hosts: [{ name: 'mini-1', address: '10.0.0.21', maxVms: 1 }] };
  const { manager, backend, github, logs } = createRunnerFarm({ platforms: [single] });
  github.behaviour.autoComplete = false;
  backend.bootMs = 20;
  await manager.start();
  assert.equal(manager.warmStart('15_arm64', 'w4'), true);
  await waitFor(() => manager.leases()[0]?.phase === 'warm');
  const job = github.queue('w4', '15_arm64');
  await waitFor(() => job.state === 'in_progress', 'w4 running on its warm VM');
  const [vm] = backend.vmIds();
  github.queue('q2', '15_arm64');
  await waitFor(() => manager.leases().some((l) => l.buildId === 'q2' && l.phase === 'waiting-slot'), 'q2 waiting for the slot');
  assert.equal(logs.filter((l) => l.msg === 'evicting warm VM: a queued job needs its slot').length, 0);
  assert.deepEqual(backend.vmIds(), [vm]);
  github.complete('w4');
  await manager.whenSettled('w4');
  await waitFor(() => github.jobs.find((j) => j.buildId === 'q2')?.state === 'in_progress', 'q2 gets the slot once w4 is done');
  github.complete('q2');
  await manager.whenSettled('q2');
  await manager.stop();
});

test('the wait from queued to in_progress is counted in seconds, once even when in_progress is delivered twice; the start time is kept', async () => {
  let now = Date.parse('2026-11-26T06:00:00.000Z');
  const { manager, github } = createRunnerFarm({ now: () => now });
  github.behaviour.autoComplete = false;
  await manager.start();
  const job = github.queue('d1', '15_arm64');
  // The queued event is handled; half a minute passes before a runner takes the job.
  now += 30_000;
  await waitFor(() => job.state === 'in_progress', 'd1 running');
  const started = manager.runnersStatus().find((r) => r.buildId === 'd1');
  now += 60_000;
  // GitHub delivers at least once: the same in_progress again, a minute later.
  github.emit(job, 'in_progress', { id: 1, name: job.runnerName ?? '' });
  assert.deepEqual(manager.runnersStatus().find((r) => r.buildId === 'd1'), started);
  const metrics = await manager.metrics.registry.metrics();
  assert.match(metrics, /^portfarm_job_queued_to_in_progress_seconds_count\{platform="15_arm64",warm="false"\} 1$/m);
  assert.match(metrics, /^portfarm_job_queued_to_in_progress_seconds_sum\{platform="15_arm64",warm="false"\} 30$/m);
  github.complete('d1');
  await manager.whenSettled('d1');
  await manager.stop();
});

test('the job that claims a warm VM is the build\'s job from then on: another job of the same run with its label is refused', async () => {
  const { manager, github } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  assert.equal(manager.warmStart('15_arm64', 'w7'), true);
  await waitFor(() => manager.leases()[0]?.phase === 'warm');
  const job = github.queue('w7', '15_arm64');
  const other = { action: 'queued' as const, jobId: job.jobId + 500, runId: job.runId, runAttempt: 1, labels: job.labels, runnerId: null, runnerName: null, conclusion: null };
  assert.equal(manager.handleWorkflowJob(other), 'rejected');
  await waitFor(() => job.state === 'in_progress', 'w7 running on its warm VM');
  github.complete('w7');
  await manager.whenSettled('w7');
  await manager.stop();
});
