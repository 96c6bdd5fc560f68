import assert from 'node:assert/strict';
import type { RunnerTaken } from '../../controller/runners/runner-manager-options.ts';
import { test } from 'node:test';
import type { RecordedRun } from '../../controller/runners/job-identity.ts';
import type { FinishedVm } from '../../controller/runners/runner-manager.ts';
import { createRunnerFarm, waitFor, type LogEntry } from '../runners/runner-farm.ts';

/**
 * Anyone who can open a pull request can run a job with any `runs-on` labels in the ports
 * repository: a label names a build but proves nothing. These attacks send the runner manager
 * jobs of runs it never recorded and check that no VM, lease or mirror write follows, and that
 * the operator is told why.
 */

const PLATFORM = '15_arm64';

function rejected(logs: readonly LogEntry[], reason: string): LogEntry[] {
  return logs.filter((l) => l.msg === `event rejected: ${reason}`);
}

/** What reached the distfile collection (the mirror's only way in), by VM. */
function collectionSpy(): { calls: Pick<FinishedVm, 'buildId' | 'vmId' | 'conclusion'>[]; beforeDestroy: (vm: FinishedVm) => Promise<void> } {
  const calls: Pick<FinishedVm, 'buildId' | 'vmId' | 'conclusion'>[] = [];
  return {
    calls,
    beforeDestroy: (vm) => {
      calls.push({ buildId: vm.buildId, vmId: vm.vmId, conclusion: vm.conclusion });
      return Promise.resolve();
    },
  };
}

test('a job whose label names a build the farm never recorded gets no VM, no registration, and is counted', async () => {
  const { manager, backend, registry, github, logs, rejections } = createRunnerFarm();
  await manager.start();
  const forged = github.queueForeign(['self-hosted', PLATFORM, 'portfarm-build-nobody']);
  assert.equal(github.emit(forged, 'queued'), 'rejected');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(manager.leases(), []);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.calls, [], 'no JIT runner registered');
  assert.equal(await rejections.count('run-not-recorded'), 2);
  const [line] = rejected(logs, 'run-not-recorded');
  assert.equal(line?.['buildId'], 'nobody');
  assert.equal(line['runId'], forged.runId);
  assert.equal(line['recordedRun'], null);
  // The operator reads which job the build's lease holds (none here) and why nothing moved.
  assert.equal(line['leaseJobId'], null);
  assert.match(String(line['why']), /not its recorded run's job; no VM, no change to its lease/);
  await manager.stop();
});

test('a foreign `completed` with a build\'s label before its real `queued` changes nothing: the real job still gets its VM', async () => {
  const spy = collectionSpy();
  const { manager, backend, github, logs, rejections } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 1_000 });
  await manager.start();
  const real = github.queue('b1', PLATFORM, { deliver: false });
  const forged = github.queueForeign(['self-hosted', PLATFORM, 'portfarm-build-b1']);
  forged.state = 'completed';
  forged.conclusion = 'success';
  assert.equal(github.emit(forged, 'completed'), 'rejected');
  assert.deepEqual(manager.leases(), [], 'the build is not marked finished and no lease exists');
  // Before the fix this was 'duplicate': the build counted as finished and never got a VM.
  assert.equal(github.emit(real, 'queued'), 'started');
  await manager.whenSettled('b1');
  assert.equal(real.state, 'completed');
  assert.match(real.runnerName ?? '', /^portfarm-b1-1-/);
  assert.deepEqual(spy.calls.map((c) => [c.buildId, c.vmId, c.conclusion]), [['b1', real.runnerName, 'success']]);
  assert.deepEqual(backend.vmIds(), []);
  assert.equal(await rejections.count('foreign-run'), 2, 'the forged queued and completed');
  assert.ok(rejected(logs, 'foreign-run').some((l) => l['jobId'] === forged.jobId && l['buildId'] === 'b1'));
  await manager.stop();
});

test('a foreign `completed` for a live build\'s label leaves its running lease alone', async () => {
  const spy = collectionSpy();
  const { manager, backend, github, rejections } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 1_000 });
  github.behaviour.autoComplete = false;
  await manager.start();
  const real = github.queue('b2', PLATFORM);
  await waitFor(() => manager.leases()[0]?.phase === 'running', 'b2 running');
  const vmId = real.runnerName ?? '';
  const forged = github.queueForeign(['self-hosted', PLATFORM, 'portfarm-build-b2']);
  forged.state = 'completed';
  forged.conclusion = 'failure';
  assert.equal(github.emit(forged, 'completed'), 'rejected');
  // Another job of the recorded run with the same label (a PR's workflow can have two) is refused too: the lease knows its job.
  const sibling = { action: 'completed' as const, jobId: real.jobId + 1000, runId: real.runId, runAttempt: 1, labels: real.labels, runnerId: null, runnerName: null, conclusion: 'failure' };
  assert.equal(manager.handleWorkflowJob(sibling), 'rejected');
  assert.equal(await rejections.count('foreign-job'), 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(manager.leases(), [{ buildId: 'b2', phase: 'running', vmId, attempt: 1 }]);
  assert.deepEqual(backend.vmIds(), [vmId]);
  assert.equal(spy.calls.length, 0, 'nothing collected while the real job runs');
  github.complete('b2');
  await manager.whenSettled('b2');
  assert.deepEqual(spy.calls.map((c) => [c.vmId, c.conclusion]), [[vmId, 'success']], 'the real job\'s own conclusion, not the forged failure');
  assert.equal(await rejections.count('foreign-run'), 2);
  await manager.stop();
});

for (const variant of [
  { name: 'only the platform\'s labels (a subset of the runner\'s)', labels: () => ['self-hosted', PLATFORM] },
  { name: 'the live build\'s own label, from another run', labels: (id: string) => ['self-hosted', PLATFORM, `portfarm-build-${id}`] },
]) {
  test(`a job of another run that takes a build's runner (${variant.name}): VM destroyed at once, nothing collected, counted, the build gets a new VM`, async () => {
    const spy = collectionSpy();
    const taken: RunnerTaken[] = [];
    const { manager, backend, github, logs, rejections } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 1_000, onRunnerTaken: (t) => { taken.push(t); } });
    await manager.start();
    // Queued first, so the build's runner is offered the foreign job before its own.
    const forged = github.queueForeign(variant.labels('h1'));
    const real = github.queue('h1', PLATFORM);
    await manager.whenSettled('h1');
    assert.match(forged.runnerName ?? '', /^portfarm-h1-1-/, 'the forged job ran on attempt 1\'s runner');
    assert.match(real.runnerName ?? '', /^portfarm-h1-2-/, 'the real job ran on a new VM');
    assert.equal(real.state, 'completed');
    assert.deepEqual(spy.calls.map((c) => c.vmId), [real.runnerName], 'nothing collected from the VM the forged job ran in');
    assert.deepEqual(backend.vmIds(), []);
    assert.ok((await rejections.count('runner-taken-by-foreign-job')) >= 1);
    const [line] = rejected(logs, 'runner-taken-by-foreign-job');
    assert.equal(line?.['vmId'], forged.runnerName);
    assert.equal(line['jobId'], forged.jobId);
    assert.equal(line['buildId'], 'h1');
    // The controller is told whose run took the runner, once, so it can cancel that run.
    assert.deepEqual(taken, [{ buildId: 'h1', vmId: forged.runnerName, runId: forged.runId, jobId: forged.jobId }]);
    await manager.stop();
  });
}

test('a build whose every runner is taken by foreign jobs fails visibly, and nothing is ever collected', async () => {
  const spy = collectionSpy();
  const { manager, github, failures, nextFailure } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 1_000 });
  await manager.start();
  github.queueForeign(['self-hosted', PLATFORM]);
  github.queueForeign(['self-hosted', PLATFORM]);
  const failed = nextFailure();
  github.queue('h2', PLATFORM);
  const failure = await failed;
  assert.equal(failure.buildId, 'h2');
  assert.match(failure.reason, /^runner-taken: runner portfarm-h2-2-[a-z0-9]{4} was taken by job \d+ of run \d+, not this build's$/);
  await manager.whenSettled('h2');
  assert.equal(spy.calls.length, 0);
  assert.equal(failures.length, 1);
  await manager.stop();
});

test('a `queued` that arrives before its build\'s run is recorded gets its VM once the run is recorded; a forged one held with it does not', async () => {
  const runs = new Map<string, RecordedRun>();
  const { manager, backend, github, rejections } = createRunnerFarm({ recordedRunOf: (id) => runs.get(id) ?? null });
  await manager.start();
  const forged = github.queueForeign(['self-hosted', PLATFORM, 'portfarm-build-e1']);
  forged.state = 'completed';
  // GitHub delivered the job's queued while the dispatch call that created its run was still in flight.
  const real = github.queue('e1', PLATFORM);
  assert.deepEqual(manager.leases(), []);
  assert.equal(await rejections.count('run-not-recorded'), 2);
  runs.set('e1', { runId: real.runId, runAttempt: null });
  assert.deepEqual(manager.runRecorded('e1'), ['rejected', 'started'], 'the forged job is judged against the recorded run and refused');
  await manager.whenSettled('e1');
  assert.equal(real.state, 'completed');
  assert.match(real.runnerName ?? '', /^portfarm-e1-1-/);
  assert.equal(await rejections.count('foreign-run'), 1);
  assert.deepEqual(manager.runRecorded('e1'), [], 'held events are judged once');
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

for (const variant of [
  { name: 'the platform\'s labels only', labels: (): string[] => ['self-hosted', PLATFORM] },
  { name: 'the live build\'s own label', labels: (id: string): string[] => ['self-hosted', PLATFORM, `portfarm-build-${id}`] },
]) {
  test(`a foreign job whose \`in_progress\` was lost and whose \`completed\` names a build's runner (${variant.name}): VM destroyed at once, nothing collected, counted`, async () => {
    const spy = collectionSpy();
    const { manager, backend, github, rejections, logs } = createRunnerFarm({ beforeDestroy: spy.beforeDestroy, conclusionWaitMs: 1_000 });
    github.behaviour.autoComplete = false;
    await manager.start();
    const real = github.queue('c1', PLATFORM);
    await waitFor(() => manager.leases()[0]?.phase === 'running', 'c1 running');
    const vmId = real.runnerName ?? '';
    // Webhooks get lost: the first GitHub says of the foreign job is that it ended on c1's runner.
    const foreign = { action: 'completed' as const, jobId: 90_001, runId: real.runId + 7, runAttempt: 1, labels: variant.labels('c1'), runnerId: 3, runnerName: vmId, conclusion: 'success' };
    assert.equal(manager.handleWorkflowJob(foreign), 'rejected');
    assert.equal(await rejections.count('runner-taken-by-foreign-job'), 1);
    // Logged against the runner it took: the operator knows which VM to distrust (and each runner is logged apart).
    assert.deepEqual(rejected(logs, 'runner-taken-by-foreign-job').map((l) => l['subject']), [`runner ${vmId}`]);
    await waitFor(() => !backend.vmIds().includes(vmId), 'the VM the foreign job ran in destroyed');
    assert.ok(!spy.calls.some((c) => c.vmId === vmId), 'nothing collected from the VM the foreign job ran in');
    await manager.stop();
  });
}

test('forged `queued` events held for unrecorded builds are bounded: four per build, each job once, a thousand builds, the oldest dropped first', async () => {
  const runs = new Map<string, RecordedRun>();
  const { manager, backend } = createRunnerFarm({ recordedRunOf: (id) => runs.get(id) ?? null });
  await manager.start();
  let jobId = 70_000;
  const forged = (build: string, id = (jobId += 1)): Parameters<typeof manager.handleWorkflowJob>[0] => ({
    action: 'queued', jobId: id, runId: 900_000 + id, runAttempt: 1, labels: ['self-hosted', PLATFORM, `portfarm-build-${build}`], runnerId: null, runnerName: null, conclusion: null,
  });
  for (let i = 0; i < 6; i += 1) assert.equal(manager.handleWorkflowJob(forged('many')), 'rejected');
  const twice = forged('twice');
  manager.handleWorkflowJob(twice);
  manager.handleWorkflowJob(twice);
  for (let i = 0; i < 1_000; i += 1) manager.handleWorkflowJob(forged(`flood${String(i)}`));
  // 'many' and 'twice' came first: the flood of a thousand more builds pushed out exactly those two.
  for (const id of ['many', 'twice', 'flood0', 'flood999']) runs.set(id, { runId: 1, runAttempt: 1 });
  assert.deepEqual(manager.runRecorded('many'), []);
  assert.deepEqual(manager.runRecorded('twice'), []);
  assert.deepEqual(manager.runRecorded('flood0'), ['rejected']);
  assert.deepEqual(manager.runRecorded('flood999'), ['rejected']);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

test('held `queued` events: at most four for one build, and a redelivered one is held once', async () => {
  const runs = new Map<string, RecordedRun>();
  const { manager, backend } = createRunnerFarm({ recordedRunOf: (id) => runs.get(id) ?? null });
  await manager.start();
  const forged = (build: string, id: number): Parameters<typeof manager.handleWorkflowJob>[0] => ({
    action: 'queued', jobId: id, runId: 800_000 + id, runAttempt: 1, labels: ['self-hosted', PLATFORM, `portfarm-build-${build}`], runnerId: null, runnerName: null, conclusion: null,
  });
  for (let id = 1; id <= 6; id += 1) manager.handleWorkflowJob(forged('many', id));
  manager.handleWorkflowJob(forged('twice', 7));
  manager.handleWorkflowJob(forged('twice', 7));
  manager.handleWorkflowJob(forged('twice', 8));
  runs.set('many', { runId: 1, runAttempt: 1 });
  runs.set('twice', { runId: 1, runAttempt: 1 });
  assert.deepEqual(manager.runRecorded('many'), ['rejected', 'rejected', 'rejected', 'rejected']);
  assert.deepEqual(manager.runRecorded('twice'), ['rejected', 'rejected']);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

test('a job the trust boundary refused is `rejected` by the manager whatever it carries, so the flow neither starts its build nor notes a failed phase', async () => {
  const { manager, backend, github } = createRunnerFarm();
  await manager.start();
  // The build's own label and a run the manager would otherwise take: only the boundary's verdict says no.
  const real = github.queue('g1', PLATFORM, { deliver: false });
  for (const action of ['queued', 'in_progress', 'completed'] as const) {
    const event = { action, jobId: real.jobId, runId: real.runId, runAttempt: 1, labels: ['self-hosted', PLATFORM, 'portfarm-build-g1'], runnerId: null, runnerName: null, conclusion: null, refusedAtBoundary: true };
    assert.equal(manager.handleWorkflowJob(event), 'rejected', action);
  }
  assert.deepEqual(manager.leases(), []);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

test('a build\'s own job seen first in progress or completed (its queued lost) starts no VM; once completed, a late queued gets none either', async () => {
  const { manager, backend, registry, github } = createRunnerFarm();
  await manager.start();
  const real = github.queue('h1', PLATFORM, { deliver: false });
  real.state = 'in_progress';
  real.runnerName = 'a-runner-of-github';
  assert.equal(github.emit(real, 'in_progress', { id: 5, name: 'a-runner-of-github' }), 'ignored');
  assert.deepEqual(manager.leases(), []);
  real.state = 'completed';
  real.conclusion = 'success';
  assert.equal(github.emit(real, 'completed', { id: 5, name: 'a-runner-of-github' }), 'ignored');
  // A job waiting for an environment's approval: nothing to do yet.
  assert.equal(manager.handleWorkflowJob({ action: 'waiting', jobId: real.jobId, runId: real.runId, runAttempt: 1, labels: real.labels, runnerId: null, runnerName: null, conclusion: null }), 'ignored');
  // A queued redelivered after the job went: the build is done, no VM for it.
  assert.equal(github.emit(real, 'queued'), 'duplicate');
  assert.deepEqual(manager.leases(), []);
  assert.deepEqual(backend.vmIds(), []);
  assert.deepEqual(registry.calls, []);
  await manager.stop();
});

test('a queued job arriving while the manager shuts down starts no VM', async () => {
  const { manager, backend, github } = createRunnerFarm();
  await manager.start();
  const real = github.queue('s9', PLATFORM, { deliver: false });
  await manager.stop();
  assert.equal(github.emit(real, 'queued'), 'ignored');
  assert.deepEqual(manager.leases(), []);
  assert.deepEqual(backend.vmIds(), []);
});

test('a job that does not ask for a self-hosted runner is not the farm\'s, whatever build label it carries: no VM', async () => {
  const { manager, backend, github } = createRunnerFarm();
  await manager.start();
  const real = github.queue('n1', PLATFORM, { deliver: false });
  const event = { action: 'queued' as const, jobId: real.jobId, runId: real.runId, runAttempt: 1, labels: real.labels.filter((l) => l !== 'self-hosted'), runnerId: null, runnerName: null, conclusion: null };
  assert.equal(manager.handleWorkflowJob(event), 'ignored');
  assert.deepEqual(manager.leases(), []);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});

test('a self-hosted job without a build label, or with one but no configured platform, is not the farm\'s: ignored, not counted, no VM', async () => {
  const { manager, backend, github, rejections } = createRunnerFarm();
  await manager.start();
  const real = github.queue('p1', PLATFORM, { deliver: false });
  const event = (labels: string[]): Parameters<typeof manager.handleWorkflowJob>[0] => ({ action: 'queued', jobId: real.jobId, runId: real.runId, runAttempt: 1, labels, runnerId: null, runnerName: null, conclusion: null });
  // Another workflow of the organisation on a self-hosted runner of that platform.
  assert.equal(manager.handleWorkflowJob(event(['self-hosted', PLATFORM])), 'ignored');
  assert.equal(manager.handleWorkflowJob(event(['self-hosted', '13_x86_64', 'portfarm-build-p1'])), 'ignored');
  assert.equal(await rejections.count('run-not-recorded'), 0);
  assert.equal(await rejections.count('foreign-run'), 0);
  assert.deepEqual(manager.leases(), []);
  assert.deepEqual(backend.vmIds(), []);
  await manager.stop();
});
