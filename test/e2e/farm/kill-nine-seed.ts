import { seededRandom } from '../../../controller/sim/seeded-random.ts';
import { assertFarmInvariants, checkFarmInvariants, type FarmInvariants } from './check-farm-invariants.ts';
import { startFarm } from './farm-harness.ts';

export interface KillNineOutcome {
  readonly seed: number;
  readonly kills: number;
  readonly report: FarmInvariants;
}

/**
 * One seed of the kill -9 test: a busy replay of real commits on two platforms, the
 * controller SIGKILLed at 1–2 seeded log lines (any line: a webhook half-worked, a dispatch
 * in flight, a VM cloning, a ledger append), started again on the same state after a seeded
 * pause while pushes go on, then drained and checked.
 */
export async function runKillNineSeed(seed: number, commits: number): Promise<KillNineOutcome> {
  const random = seededRandom(seed * 7919);
  const farm = await startFarm({ seed, failingPorts: ['mlx'], maxStepMs: 60, firstCommit: Math.floor(random() * 70) });
  let passed = false;
  try {
    await farm.startController();
    const killsWanted = random() < 0.3 ? 2 : 1;
    let kills = 0;
    const restarts: Promise<void>[] = [];
    const armKill = (): void => {
      const at = farm.logLines() + 5 + Math.floor(random() * 12 * commits);
      farm.onLog((_line, count) => {
        if (count < at) return;
        farm.onLog(null);
        kills += 1;
        const pause = Math.floor(random() * 600);
        restarts.push((async () => {
          await farm.killController();
          await new Promise((resolve) => setTimeout(resolve, pause));
          await farm.startController();
          if (kills < killsWanted) armKill();
        })());
      });
    };
    armKill();
    await farm.replay({ commits, gapMs: [20, 120] });
    // Wait for the kills armed so far (a later one may not come if the farm goes quiet first).
    for (;;) {
      const pending = restarts.length;
      await Promise.all(restarts);
      if (restarts.length === pending) break;
    }
    if (kills === 0) {
      farm.onLog(null);
      kills += 1;
      await farm.killController();
      await farm.startController();
    }
    farm.onLog(null);
    await farm.settle();
    const report = await checkFarmInvariants(farm, ['mlx']);
    assertFarmInvariants(report, `seed ${seed} (${farm.dir}, kept)`);
    passed = true;
    return { seed, kills, report };
  } finally {
    // A failed seed keeps its folder: the controller's log (controller.log) and state show what happened.
    await farm.close({ keep: !passed });
  }
}
