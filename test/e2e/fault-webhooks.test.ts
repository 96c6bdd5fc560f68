import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebhookFaultMode } from '../github-double/github-double.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { assertFarmInvariants, checkFarmInvariants } from './farm/check-farm-invariants.ts';
import { startFarm } from './farm/farm-harness.ts';
import { startFaultDriver } from './farm/fault-driver.ts';

const MODES: readonly WebhookFaultMode[] = ['deliver', 'drop', 'duplicate', 'delay'];

test('webhook deliveries dropped, duplicated, reordered and delayed during a busy replay: the controller recovers them, nothing lost or duplicated', { timeout: 180_000 }, async () => {
  const seed = 101;
  const random = seededRandom(seed);
  // The sweep asks GitHub for failed deliveries (and reconciles runs) every 1.5 s instead of 5 min.
  const farm = await startFarm({ seed, failingPorts: ['mlx'], maxStepMs: 60, firstCommit: 0, sweepIntervalMs: 1500 });
  try {
    await farm.startController();
    // Every 100–400 ms the webhook switch flips to a seeded mode; held deliveries are released
    // later, after newer ones went through: delayed and reordered.
    const driver = startFaultDriver(random, [100, 300], () => {
      farm.double.setWebhookFault(MODES[Math.floor(random() * MODES.length)] ?? 'deliver');
      if (random() < 0.4) farm.double.releaseDelayedDeliveries();
    });
    await farm.replay({ commits: 6, gapMs: [50, 250] });
    // Faults go on while the builders of the last commits run, until each kind hit a few deliveries.
    const until = Date.now() + 60_000;
    for (;;) {
      const f = farm.double.faultsInjected();
      if (Date.now() > until || (f.dropped >= 3 && f.duplicated >= 3 && f.delayed >= 3)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await driver.stop();
    farm.double.setWebhookFault('deliver');
    farm.double.releaseDelayedDeliveries();
    await farm.settle(120_000);
    const report = await checkFarmInvariants(farm, ['mlx']);
    assertFarmInvariants(report, `webhook faults, seed ${seed} (${farm.dir})`);
    const faults = farm.double.faultsInjected();
    assert.ok(faults.dropped > 0 && faults.duplicated > 0 && faults.delayed > 0, JSON.stringify(faults));
    console.log(`webhook faults: ${JSON.stringify({ dropped: faults.dropped, duplicated: faults.duplicated, delayedAndReordered: faults.delayed })}; ${report.runs} runs, ${report.ledgerEntries} ledger entries, lost 0, duplicated 0`);
  } finally {
    await farm.close();
  }
});
