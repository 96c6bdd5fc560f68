import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRunnerFarm, PLATFORM_15, waitFor } from './runner-farm.ts';

/**
 * With organisation runners the master builds' group admits only ports.yml on the dispatch
 * branch, so a pull-request build's runner registered there would never get its job: PR builds'
 * runners go into their own group.
 */
test('a master build\'s runner is registered into runnerGroupId, a pull-request build\'s into pullRequestRunnerGroupId', async () => {
  const { manager, github, registry } = createRunnerFarm({ runnerGroupId: 7, pullRequestRunnerGroupId: 8 });
  const groups: string[] = [];
  const generate = registry.generateJitConfig.bind(registry);
  registry.generateJitConfig = (request, signal) => {
    groups.push(`${request.name.split('-').slice(1, -2).join('-')}:${request.runnerGroupId}`);
    return generate(request, signal);
  };
  await manager.start();
  try {
    const master = github.queue('m1', PLATFORM_15.name);
    const pr = github.queue('pr-100-1-build', PLATFORM_15.name);
    await waitFor(() => master.state === 'completed' && pr.state === 'completed', 'both jobs done');
    await manager.whenSettled('m1');
    await manager.whenSettled('pr-100-1-build');
    assert.deepEqual(groups.sort(), ['m1:7', 'pr-100-1-build:8']);
  } finally {
    await manager.stop();
  }
});
