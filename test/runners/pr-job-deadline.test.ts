import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRunnerFarm, PLATFORM_15, waitFor } from './runner-farm.ts';

/**
 * A pull request may edit its own `timeout-minutes`, so GitHub's job timeout does not bound how
 * long its code holds a farm VM: the runner manager does (`runners.prJobMaxSeconds`).
 */
test('a PR job running past prJobMs: its VM is destroyed and the build fails visibly, once, not retried; a master job is not cut', async () => {
  const { manager, github, backend, failures } = createRunnerFarm({ deadlines: { cloneMs: 5_000, bootMs: 5_000, runnerOnlineMs: 5_000, jobTakenMs: 5_000, warmIdleMs: 5_000, prJobMs: 150 } });
  github.behaviour.autoComplete = false;
  await manager.start();
  try {
    const pr = github.queue('pr-100-1-build', PLATFORM_15.name);
    const master = github.queue('m1', PLATFORM_15.name);
    await waitFor(() => pr.state === 'in_progress' && master.state === 'in_progress', 'both jobs running');
    const prVm = pr.runnerName;
    // Bounded: without the limit the PR job would run on (and this test would fail, not hang).
    const limit = new AbortController();
    const ended = await Promise.race([manager.whenSettled('pr-100-1-build').then(() => true), sleep(10_000, false, { signal: limit.signal }).catch(() => false)]);
    limit.abort();
    assert.ok(ended, 'the PR job was still running 10 s later');
    assert.ok(prVm !== null && !backend.vmIds().includes(prVm), 'the PR job\'s VM is gone');
    assert.deepEqual(failures.map((f) => [f.buildId, f.attempts, f.retryable]), [['pr-100-1-build', 1, false]]);
    assert.match(failures[0]?.reason ?? '', /pr-job-too-long.*longer than 150 ms \(runners\.prJobMaxSeconds\)/);
    // The master build's job ran as long and still runs.
    assert.equal(master.state, 'in_progress');
    assert.ok(master.runnerName !== null && backend.vmIds().includes(master.runnerName));
    github.complete('m1');
    await manager.whenSettled('m1');
  } finally {
    await manager.stop();
  }
});
