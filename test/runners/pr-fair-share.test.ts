import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRunnerFarm, PLATFORM_15, waitFor } from './runner-farm.ts';

/**
 * Anyone can open a pull request whose ports-pr.yml asks for a 256-job matrix: genuine PR jobs,
 * each asking for a VM. On a 2-VM host the PR share is one slot; FIFO would give it to the big
 * PR's next job each time one ends, and another contributor's PR would wait 50 VM lifetimes.
 */
test('two PRs, one with 50 jobs queued first: the other PR\'s job gets a VM as soon as the one running PR job ends', async () => {
  const { manager, github, backend } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  try {
    const big = Array.from({ length: 50 }, (_, i) => github.queue(`pr-100-1-j${i}`, PLATFORM_15.name));
    const small = github.queue('pr-200-1-j0', PLATFORM_15.name);
    await waitFor(() => big[0]?.state === 'in_progress', 'the big PR\'s first job running');
    assert.equal(backend.vmIds().length, 1, 'one PR VM on a 2-VM host (the other slot is the master builds\')');
    // One VM lifetime: the running job ends, and the small PR is next, not the big PR's job 2.
    github.complete('pr-100-1-j0');
    await waitFor(() => small.state === 'in_progress', 'the other PR\'s job running');
    assert.deepEqual(big.filter((j) => j.state !== 'queued').map((j) => j.buildId), ['pr-100-1-j0']);
    // And then the big PR goes on, in its own order.
    github.complete('pr-200-1-j0');
    await waitFor(() => big[1]?.state === 'in_progress', 'the big PR\'s second job running');
  } finally {
    await manager.stop();
  }
});
