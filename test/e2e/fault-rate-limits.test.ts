import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFarmInvariants, checkFarmInvariants } from './farm/check-farm-invariants.ts';
import { startFarm } from './farm/farm-harness.ts';
import { FARM_STATUS_TOKEN } from './farm/farm-status-token.ts';

/**
 * GitHub's limits set low, in GitHub time running 60 times faster than the wall clock (an hour
 * is a wall minute): the hour's budget, points per endpoint, content creation. The controller
 * meets primary and secondary refusals during a busy replay and must lose nothing: every
 * refused request is waited and sent again, or fails visibly and is retried by its owner.
 * One request at a time is the secondary limit that holds at any load: at 2 writes and 3 creates
 * per GitHub minute, a machine at load 15–25 sent too few in a wall second to be refused, and the
 * test failed on its own premise; the slower the machine, the more the controller's requests overlap.
 */
test('GitHub\'s rate limits set low: refused requests are waited and retried; no build lost, dispatched twice or left without a VM', { timeout: 240_000 }, async () => {
  const seed = 317;
  const farm = await startFarm({
    seed,
    maxStepMs: 60,
    firstCommit: 30,
    sweepIntervalMs: 2000,
    githubTimeScale: 60,
    rateLimits: { primaryPerHour: 120, concurrent: 1, pointsPerMinutePerEndpoint: 10, contentPerMinute: 3, contentPerHour: 100 },
  });
  try {
    await farm.startController();
    await farm.replay({ commits: 5, gapMs: [50, 250] });
    await farm.settle(180_000);
    const report = await checkFarmInvariants(farm);
    assertFarmInvariants(report, `rate limits, seed ${seed} (${farm.dir})`);
    const refused = farm.double.rateLimits?.refused;
    assert.ok(refused !== undefined && refused.primary > 0 && refused.secondary > 0, `the limits were met: ${JSON.stringify(refused)}`);
    // The budget as the controller saw it: in its status and its metrics.
    const status = await farm.status();
    assert.equal(status.githubApi?.limit, 120);
    assert.ok((status.githubApi.rateLimited.primary + status.githubApi.rateLimited.secondary) > 0, JSON.stringify(status.githubApi));
    const metrics = await (await fetch(`${farm.controllerUrl}/metrics`, { headers: { authorization: `Bearer ${FARM_STATUS_TOKEN}` } })).text();
    assert.match(metrics, /^portfarm_github_api_limit 120$/m);
    assert.match(metrics, /^portfarm_github_rate_limited_secondary_total [1-9]/m);
    console.log(`rate limits met: ${JSON.stringify(refused)}; ${report.runs} runs, ${report.ledgerEntries} ledger entries, lost 0, duplicated 0`);
  } finally {
    await farm.close();
  }
});
