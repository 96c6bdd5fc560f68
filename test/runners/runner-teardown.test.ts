import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmBackendError } from '../../controller/runners/backends/vm-backend.ts';
import { createRunnerFarm, messagesOf, waitFor } from './runner-farm.ts';

/** Counts the VMs that exist right after each clone: what the host really carries. */
function watchClones(backend: ReturnType<typeof createRunnerFarm>['backend']): { most: () => number } {
  let most = 0;
  const clone = backend.clone.bind(backend);
  backend.clone = async (spec, signal) => {
    await clone(spec, signal);
    most = Math.max(most, backend.vmIds().length);
  };
  return { most: () => most };
}

test('a beforeDestroy slower than the destroy deadline never lets a third VM onto a 2-VM host', async () => {
  const collected: string[] = [];
  const { manager, backend, github, logs } = createRunnerFarm({
    deadlines: { cloneMs: 100, bootMs: 5_000, runnerOnlineMs: 5_000, jobTakenMs: 5_000, warmIdleMs: 5_000 },
    conclusionWaitMs: 0,
    // A distfile collection takes longer than one destroy may: the destroy's deadline must start after it.
    beforeDestroy: async (vm) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      collected.push(vm.vmId);
    },
  });
  const clones = watchClones(backend);
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('t1', '15_arm64');
  github.queue('t2', '15_arm64');
  await waitFor(() => github.jobs.filter((j) => j.state === 'in_progress').length === 2, 'both jobs running');
  github.queue('t3', '15_arm64');
  github.complete('t1');
  await manager.whenSettled('t1');
  await waitFor(() => github.jobs.find((j) => j.buildId === 't3')?.state === 'in_progress', 't3 running');
  github.complete('t2');
  github.complete('t3');
  await Promise.all([manager.whenSettled('t2'), manager.whenSettled('t3')]);
  assert.equal(clones.most(), 2, 'never more VMs than the host\'s maxVms');
  assert.equal(collected.length, 3);
  assert.deepEqual(backend.vmIds(), []);
  assert.equal(logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('destroying the VM failed')).length, 0, 'each destroy had its whole deadline');
  assert.deepEqual(messagesOf(logs, 't1').slice(-2), ['job completed; tearing down', 'VM destroyed and registration gone']);
  await manager.stop();
});

test('a VM whose destroy fails keeps its slot until a retry destroys it: the next build waits, nothing is double-booked', async () => {
  const { manager, backend, github, logs } = createRunnerFarm();
  const clones = watchClones(backend);
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('d1', '15_arm64');
  github.queue('d2', '15_arm64');
  await waitFor(() => github.jobs.filter((j) => j.state === 'in_progress').length === 2, 'both jobs running');
  const d1Vm = github.jobs.find((j) => j.buildId === 'd1')?.runnerName ?? '';
  for (let i = 0; i < 3; i += 1) backend.failNext('destroy', new VmBackendError(`tart delete ${d1Vm} exited 1: resource busy`, { retryable: true, vmId: d1Vm }));
  github.queue('d3', '15_arm64');
  github.complete('d1');
  await manager.whenSettled('d1');
  assert.equal(backend.vmIds().includes(d1Vm), false, 'the fourth try destroyed it');
  await waitFor(() => github.jobs.find((j) => j.buildId === 'd3')?.state === 'in_progress', 'd3 running');
  github.complete('d2');
  github.complete('d3');
  await Promise.all([manager.whenSettled('d2'), manager.whenSettled('d3')]);
  assert.equal(clones.most(), 2, 'd3 was cloned only once d1\'s VM was gone');
  assert.equal(logs.filter((l) => l.msg === 'destroying the VM failed; its slot stays held and the destroy is tried again').length, 3);
  assert.match(await manager.metrics.registry.metrics(), /^portfarm_vm_destroy_failures_total\{backend="fake"\} 3$/m);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

test('a failed attempt gives its slot back for its backoff: another build runs meanwhile on a full host', async () => {
  // A minute's backoff: the slot must not sit idle through it (stop() ends the wait).
  const { manager, backend, github } = createRunnerFarm({ retry: { maxAttempts: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('s1', '15_arm64');
  await waitFor(() => github.jobs.find((j) => j.buildId === 's1')?.state === 'in_progress', 's1 running');
  backend.failNext('clone', new VmBackendError('disk busy', { retryable: true }));
  github.queue('s2', '15_arm64');
  await waitFor(() => manager.leases().find((l) => l.buildId === 's2')?.phase === 'backoff', 's2 backing off after its failed clone');
  // The destroyed VM is forgotten: a later event naming it is not this lease's, and the status shows no VM.
  assert.deepEqual(manager.leases().find((l) => l.buildId === 's2'), { buildId: 's2', phase: 'backoff', vmId: null, attempt: 1 });
  github.queue('s3', '15_arm64');
  await waitFor(() => github.jobs.find((j) => j.buildId === 's3')?.state === 'in_progress', 's3 running in the slot s2 gave back');
  assert.equal(backend.vmIds().length, 2);
  await manager.stop();
});

test('a registration whose answer was lost is deleted by its name only: another build\'s runner keeps its registration', async () => {
  const { manager, registry, github } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  const other = github.queue('o1', '15_arm64');
  await waitFor(() => other.state === 'in_progress', 'o1 running');
  const othersRunner = other.runnerName ?? '';
  assert.ok(registry.names().includes(othersRunner));
  registry.loseNextAnswers(1);
  const lost = github.queue('r1', '15_arm64');
  await waitFor(() => lost.state === 'in_progress', 'r1 running on its second attempt');
  assert.match(lost.runnerName ?? '', /^portfarm-r1-2-/);
  assert.ok(registry.names().includes(othersRunner), `o1's runner ${othersRunner} is still registered: ${registry.names().join(', ')}`);
  assert.equal(registry.calls.filter((c) => c.startsWith('delete ')).length, 1, registry.calls.join(', '));
  github.complete('o1');
  github.complete('r1');
  await Promise.all([manager.whenSettled('o1'), manager.whenSettled('r1')]);
  await manager.stop();
});

test('a runner that removed itself after its job is not deleted again, though other runners are registered', async () => {
  const { manager, registry, github } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  const other = github.queue('k1', '15_arm64');
  const own = github.queue('k2', '15_arm64');
  await waitFor(() => other.state === 'in_progress' && own.state === 'in_progress', 'both running');
  github.complete('k2');
  await manager.whenSettled('k2');
  // Its ephemeral runner unregistered itself: a DELETE would cost 5 rate-limit points for nothing.
  assert.deepEqual(registry.calls.filter((c) => c.startsWith('delete ')), [], registry.calls.join(', '));
  github.complete('k1');
  await manager.whenSettled('k1');
  await manager.stop();
});

test('nothing is collected from a VM whose runner never took the job', async () => {
  const collected: string[] = [];
  const { manager, github, nextFailure } = createRunnerFarm({
    deadlines: { cloneMs: 5_000, bootMs: 5_000, runnerOnlineMs: 5_000, jobTakenMs: 30, warmIdleMs: 5_000 },
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    conclusionWaitMs: 0,
    beforeDestroy: (vm) => {
      collected.push(vm.vmId);
      return Promise.resolve();
    },
  });
  github.behaviour.takesJobs = false;
  await manager.start();
  const failed = nextFailure();
  github.queue('n1', '15_arm64');
  assert.match((await failed).reason, /^job-not-taken: /);
  await manager.whenSettled('n1');
  assert.deepEqual(collected, [], 'no job ran in it: nothing of the build is there');
  await manager.stop();
});

test('a failing destroy is retried with growing waits, not in a tight loop', async () => {
  const { manager, backend, github } = createRunnerFarm({ retry: { maxAttempts: 2, baseDelayMs: 30, maxDelayMs: 1_000 } });
  github.behaviour.autoComplete = false;
  await manager.start();
  const job = github.queue('w1', '15_arm64');
  await waitFor(() => job.state === 'in_progress', 'w1 running');
  const vm = job.runnerName ?? '';
  for (let i = 0; i < 3; i += 1) backend.failNext('destroy', new VmBackendError(`tart delete ${vm} exited 1: resource busy`, { retryable: true, vmId: vm }));
  const started = performance.now();
  github.complete('w1');
  await manager.whenSettled('w1');
  // Three failures wait 30, 60 and 120 ms before the next try: a timer never fires early.
  assert.ok(performance.now() - started >= 210, `the fourth try came after ${String(Math.round(performance.now() - started))} ms`);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

/** A build whose VM's destroy fails `failures` times; resolves with the ms from its job's end until its VM is gone. */
async function destroyAfterFailures(retry: { baseDelayMs: number; maxDelayMs: number }, failures: number): Promise<number> {
  const { manager, backend, github } = createRunnerFarm({ retry: { maxAttempts: 2, ...retry } });
  github.behaviour.autoComplete = false;
  await manager.start();
  const job = github.queue('w1', '15_arm64');
  await waitFor(() => job.state === 'in_progress', 'w1 running');
  const vm = job.runnerName ?? '';
  for (let i = 0; i < failures; i += 1) backend.failNext('destroy', new VmBackendError(`tart delete ${vm} exited 1: resource busy`, { retryable: true, vmId: vm }));
  const started = performance.now();
  github.complete('w1');
  await manager.whenSettled('w1');
  const ms = performance.now() - started;
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
  return ms;
}

// Upper bounds with seconds of slack for a loaded machine: each mutant they catch waits 3 s or more longer.
test('the destroy backoff stops growing at retry.maxDelayMs: six failures wait 0.55 s, not 3.15 s', { timeout: 30_000 }, async () => {
  const ms = await destroyAfterFailures({ baseDelayMs: 50, maxDelayMs: 100 }, 6);
  assert.ok(ms >= 550 && ms < 2_500, `the seventh try came after ${String(Math.round(ms))} ms (50 + 5 × 100 expected)`);
});

test('the destroy backoff starts at retry.baseDelayMs, not at its cap', { timeout: 30_000 }, async () => {
  const ms = await destroyAfterFailures({ baseDelayMs: 20, maxDelayMs: 5_000 }, 3);
  assert.ok(ms >= 140 && ms < 3_000, `the fourth try came after ${String(Math.round(ms))} ms (20 + 40 + 80 expected, 3 × 5 s if it started at the cap)`);
});

test('a shutdown while a destroy keeps failing leaves the VM to the next start: it is not reported destroyed', { timeout: 30_000 }, async () => {
  const { manager, backend, github, logs } = createRunnerFarm({ retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 50 } });
  github.behaviour.autoComplete = false;
  await manager.start();
  const job = github.queue('s1', '15_arm64');
  await waitFor(() => job.state === 'in_progress', 's1 running');
  const vm = job.runnerName ?? '';
  for (let i = 0; i < 1_000; i += 1) backend.failNext('destroy', new VmBackendError(`tart delete ${vm} exited 1: resource busy`, { retryable: true, vmId: vm }));
  github.complete('s1');
  await waitFor(() => logs.some((l) => l.msg === 'destroying the VM failed; its slot stays held and the destroy is tried again'), 'a destroy failed');
  await manager.stop();
  assert.ok(logs.some((l) => l.msg === 'shutting down with the VM not destroyed; the next start reaps it'));
  assert.deepEqual(messagesOf(logs, 's1').filter((m) => m.startsWith('VM destroyed')), [], 'a VM still running is never logged as destroyed');
});

/** What the distfile collection was handed: the build's VM and the job's conclusion. */
function collectionOf(): { calls: [string, string | null][]; beforeDestroy: (vm: { vmId: string; conclusion: string | null }) => Promise<void> } {
  const calls: [string, string | null][] = [];
  return { calls, beforeDestroy: (vm) => { calls.push([vm.vmId, vm.conclusion]); return Promise.resolve(); } };
}

// Bounded: a wait whose end is lost would hold teardown (and stop()) for good.
test('a runner that exits before its job\'s completed webhook: the collection waits for the conclusion, and no longer', { timeout: 20_000 }, async () => {
  const spy = collectionOf();
  // Ten minutes' patience: the wait must end when the webhook comes, not when patience runs out.
  const { manager, github } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 600_000 });
  github.behaviour.completedAfterExitMs = 50;
  await manager.start();
  const job = github.queue('l1', '15_arm64');
  await manager.whenSettled('l1');
  assert.deepEqual(spy.calls, [[job.runnerName, 'success']], 'the job\'s conclusion, not null');
  await manager.stop();
});

// Bounded: with the wait's abort listener lost, teardown (and so stop()) would wait the full ten minutes.
test('a job whose completed webhook came first is collected at once, not after the conclusion wait', { timeout: 20_000 }, async () => {
  const spy = collectionOf();
  const { manager, github } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 600_000 });
  await manager.start();
  github.queue('p1', '15_arm64');
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<'too late'>((resolve) => { timer = setTimeout(() => { resolve('too late'); }, 5_000); });
  try {
    assert.equal(await Promise.race([manager.whenSettled('p1').then(() => 'settled'), tooLate]), 'settled');
    assert.equal(spy.calls.length, 1);
  } finally {
    clearTimeout(timer);
    // Stopping ends a wait that never ended by itself.
    await manager.stop();
  }
});
