import type { CrashPoint } from '../../../controller/errors/crash-point.ts';
import { assertFarmInvariants, checkFarmInvariants, type FarmInvariants } from './check-farm-invariants.ts';
import { startFarm } from './farm-harness.ts';

export interface CrashPointOutcome {
  /** Whether the controller reached the point and SIGKILLed itself there (false: the replay never passed it). */
  readonly crashed: boolean;
  readonly report: FarmInvariants;
}

/**
 * The deterministic kill -9: the controller SIGKILLs itself the `hit`th time it passes a named
 * place between two durable steps (controller/errors/crash-point.ts), during a replay of real
 * commits on two platforms; it is started again on the same state (unarmed) after `pauseMs`
 * while pushes and jobs go on, then the farm is drained and checked as the seeded kill -9 test
 * checks it. Where the kill falls no longer depends on the machine's load.
 */
export async function runCrashPoint(point: CrashPoint, hit: number, options: { readonly seed: number; readonly commits: number; readonly pauseMs: number; readonly firstCommit: number; readonly gapMs?: readonly [number, number] }): Promise<CrashPointOutcome> {
  const farm = await startFarm({
    seed: options.seed,
    failingPorts: ['mlx'],
    maxStepMs: 60,
    firstCommit: options.firstCommit,
  });
  let passed = false;
  try {
    // Set from the log listener: an object, so the compiler does not narrow it to its first value.
    const seen = { crashed: false };
    farm.onLog((line) => {
      if (line.includes('"crashPoint"')) seen.crashed = true;
    });
    await farm.startController({ crashAt: `${point}#${String(hit)}` });
    const restarted = farm.controllerExited().then(async () => {
      if (!seen.crashed) return; // closed by the harness: the point was never passed
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      await farm.startController();
    });
    await farm.replay({ commits: options.commits, gapMs: options.gapMs ?? [20, 120] });
    // Drain: either the point is passed (the restart then follows) or the farm goes quiet without it.
    if (!seen.crashed) await farm.settle().catch(() => undefined);
    if (seen.crashed) await restarted;
    farm.onLog(null);
    await farm.settle();
    const report = await checkFarmInvariants(farm, ['mlx']);
    assertFarmInvariants(report, `crash point ${point}#${String(hit)}, seed ${String(options.seed)} (${farm.dir}, kept)`);
    passed = true;
    return { crashed: seen.crashed, report };
  } finally {
    await farm.close({ keep: !passed });
  }
}
