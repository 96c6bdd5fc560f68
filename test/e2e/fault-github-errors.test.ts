import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpFault } from '../github-double/github-double.ts';
import type { OperationId } from '../github-double/used-operations.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { assertFarmInvariants, checkFarmInvariants } from './farm/check-farm-invariants.ts';
import { startFarm } from './farm/farm-harness.ts';
import { startFaultDriver } from './farm/fault-driver.ts';

/** The operations the controller writes or must read to move on. */
const OPERATIONS: readonly OperationId[] = [
  'actions/create-workflow-dispatch',
  'actions/cancel-workflow-run',
  'actions/get-workflow-run',
  'checks/create',
  'checks/update',
  'actions/generate-runner-jitconfig-for-repo',
  'actions/delete-self-hosted-runner-from-repo',
  'actions/list-self-hosted-runners-for-repo',
  'actions/list-jobs-for-workflow-run',
  'actions/list-workflow-runs',
  'apps/list-webhook-deliveries',
];
const STATUSES: readonly Pick<HttpFault, 'status' | 'retryAfterSeconds'>[] = [{ status: 500 }, { status: 502 }, { status: 403, retryAfterSeconds: 1 }];

test('GitHub answering 500, 502 and 403 + retry-after on every operation the controller uses, during a busy replay: nothing lost or duplicated', { timeout: 180_000 }, async () => {
  const seed = 202;
  const random = seededRandom(seed);
  const farm = await startFarm({ seed, failingPorts: ['mlx'], maxStepMs: 60, firstCommit: 10, sweepIntervalMs: 2000 });
  try {
    await farm.startController();
    // Every 150–450 ms one or two of the next requests to a seeded operation fail with a seeded status.
    const driver = startFaultDriver(random, [150, 300], () => {
      const operation = OPERATIONS[Math.floor(random() * OPERATIONS.length)] ?? 'checks/create';
      const status = STATUSES[Math.floor(random() * STATUSES.length)] ?? { status: 500 };
      farm.double.failRequests({ ...status, operation, times: 1 + Math.floor(random() * 2) });
    });
    await farm.replay({ commits: 6, gapMs: [50, 250] });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await driver.stop();
    await farm.settle(120_000);
    const report = await checkFarmInvariants(farm, ['mlx']);
    assertFarmInvariants(report, `GitHub errors, seed ${seed} (${farm.dir})`);
    const faults = farm.double.faultsInjected().requests;
    assert.ok((faults['500'] ?? 0) > 0 && (faults['502'] ?? 0) > 0 && (faults['403+retry-after'] ?? 0) > 0, JSON.stringify(faults));
    console.log(`GitHub errors answered: ${JSON.stringify(faults)}; ${report.runs} runs, ${report.ledgerEntries} ledger entries, lost 0, duplicated 0`);
  } finally {
    await farm.close();
  }
});
