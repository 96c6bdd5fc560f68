import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { readLedger } from '../../site/ledger/read-ledger.ts';
import { assertFarmInvariants, checkFarmInvariants } from './farm/check-farm-invariants.ts';
import { startFarm } from './farm/farm-harness.ts';

test('VM clones and boots failing on Orchard, and its API answering 503: retried, nothing lost, duplicated or left behind', { timeout: 180_000 }, async () => {
  const seed = 303;
  const random = seededRandom(seed);
  const farm = await startFarm({ seed, failingPorts: ['mlx'], maxStepMs: 60, firstCommit: 20 });
  const orchard = farm.orchard;
  assert.ok(orchard !== null);
  try {
    await farm.startController();
    const stop = new AbortController();
    // Every 200–600 ms: the next VM fails to boot ("VM exited unexpectedly"), or the next few API requests answer 503.
    const driver = (async () => {
      while (!stop.signal.aborted) {
        // Bounded: a build gets 3 attempts, 3 times over; a test that failed every attempt would test the give-up.
        if (random() < 0.5 && orchard.faultsInjected().vms < 4) orchard.failNextVms(1, 'VM exited unexpectedly');
        else orchard.failNextRequests(1 + Math.floor(random() * 3), 503);
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(random() * 400)));
      }
    })();
    await farm.replay({ commits: 5, gapMs: [50, 250] });
    // Faults go on while builders run, until a few of each kind were injected.
    const until = Date.now() + 60_000;
    while (Date.now() < until && (orchard.faultsInjected().vms < 3 || orchard.faultsInjected().requests < 3)) await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    stop.abort();
    await driver;
    const { vms: vmFailures, requests: apiFailures } = orchard.faultsInjected();
    orchard.failNextRequests(0, 503);
    await farm.settle(120_000);
    const report = await checkFarmInvariants(farm, ['mlx']);
    assertFarmInvariants(report, `VM failures, seed ${seed} (${farm.dir})`);
    assert.ok(vmFailures > 0 && apiFailures > 0);
    console.log(`VM faults: ${vmFailures} VMs failed to boot, ${apiFailures} Orchard API requests answered 503 (of ${orchard.requests.length}); ${report.runs} runs, ${report.ledgerEntries} ledger entries, lost 0, duplicated 0`);
  } finally {
    await farm.close();
  }
});

test('a host lost mid-build (its VMs vanish, the runner dies): the job fails on GitHub, the port is built again, and nobody is mailed', { timeout: 180_000 }, async () => {
  const seed = 404;
  const farm = await startFarm({ seed, failingPorts: ['mlx'], maxStepMs: 400, firstCommit: 30 });
  const orchard = farm.orchard;
  assert.ok(orchard !== null);
  try {
    await farm.startController();
    const lost: string[] = [];
    const replay = farm.replay({ commits: 4, gapMs: [50, 200] });
    // Three times: wait for a builder whose job runs, then pull the plug on its host.
    for (let i = 0; i < 3; i += 1) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        assert.ok(Date.now() < deadline, 'no builder ran on a VM within 60 s');
        const running = farm.double.runs().filter((r) => r.status === 'in_progress' && (r.inputs.portname ?? '') !== '' && !lost.includes(r.inputs.build_id ?? ''));
        const vm = running.flatMap((r) => orchard.vmNames().filter((name) => name.startsWith(`portfarm-${r.inputs.build_id ?? ''}-`)).map((name) => ({ name, run: r })))[0];
        const worker = vm === undefined ? undefined : orchard.vm(vm.name)?.worker;
        if (vm !== undefined && typeof worker === 'string' && orchard.runningScripts().includes(vm.name)) {
          orchard.loseWorker(worker);
          lost.push(vm.run.inputs.build_id ?? '');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await replay;
    await farm.settle(120_000);
    const report = await checkFarmInvariants(farm, ['mlx']);
    assertFarmInvariants(report, `host lost, seed ${seed} (${farm.dir})`);
    // Each lost build failed on GitHub, is in the ledger as an infrastructure failure, and its port was built again (the invariants' "unbuilt" is empty).
    for (const buildId of lost) {
      assert.deepEqual(farm.double.runs().filter((r) => r.inputs.build_id === buildId).map((r) => r.conclusion), ['failure']);
    }
    const runnerLost: string[] = [];
    for await (const { entry } of readLedger(farm.ledgerPath, { onTornLine: () => { assert.fail('torn ledger line'); } })) {
      // runner-lost: the job failed with no failed step; runner: the VM vanished while the manager still waited for it to boot.
      const phase = entry.steps?.[0]?.name;
      if (phase === 'runner-lost' || phase === 'runner') runnerLost.push(entry.url);
    }
    assert.equal(runnerLost.length, lost.length, `runner-lost ledger entries: ${runnerLost.join(', ')}`);
    console.log(`hosts lost mid-build: ${lost.length}; ${report.runs} runs, ${report.ledgerEntries} ledger entries, ${report.mails} mails (all for the failing port), lost 0, duplicated 0`);
  } finally {
    await farm.close();
  }
});
