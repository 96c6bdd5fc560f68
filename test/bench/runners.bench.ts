/**
 * `npm run bench:runners`: the runner manager's own overhead on the fake backend.
 * 1. workflow_job queued → clone started, 100 jobs queued at once (enough slots for all), p50/p95.
 * 2. the same with 100 jobs on one 2-VM host: slot freed → next clone started, p50/p95.
 * 3. queued → job in progress with a 15 s boot, without and with warm start. The boot is
 *    simulated at 1:100 (150 ms real) and reported as 15 000 ms + the measured overhead, so the
 *    controller's own time is never scaled up.
 */
import { performance } from 'node:perf_hooks';
import type { PlatformConfig } from '../../controller/config/config-schema.ts';
import { createRunnerFarm, PLATFORM_15, waitFor } from '../runners/runner-farm.ts';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

async function burstOverhead(): Promise<void> {
  const hosts = Array.from({ length: 50 }, (_, i) => ({ name: `mac-${i}`, address: `10.0.1.${i}`, maxVms: 2 }));
  const platform: PlatformConfig = { ...PLATFORM_15, hosts };
  const queuedAt = new Map<string, number>();
  const overhead: number[] = [];
  const farm = createRunnerFarm({ platforms: [platform] });
  farm.github.behaviour.autoComplete = false;
  farm.backend.cloneMs = 0;
  const observed = new Set<string>();
  const { backend } = farm;
  const originalClone = backend.clone.bind(backend);
  backend.clone = (spec, signal) => {
    const buildId = spec.vmId.split('-')[1] ?? '';
    const start = queuedAt.get(buildId);
    if (start !== undefined && !observed.has(buildId)) {
      observed.add(buildId);
      overhead.push(performance.now() - start);
    }
    return originalClone(spec, signal);
  };
  await farm.manager.start();
  for (let i = 0; i < 100; i += 1) {
    queuedAt.set(`j${i}`, performance.now());
    farm.github.queue(`j${i}`, '15_arm64');
  }
  await waitFor(() => overhead.length === 100, '100 clones');
  console.log(`queued → clone started, 100 jobs queued at once, 100 free slots: p50 ${fmt(percentile(overhead, 50))}, p95 ${fmt(percentile(overhead, 95))}, max ${fmt(Math.max(...overhead))}`);
  await farm.manager.stop();
}

async function slotHandOver(): Promise<void> {
  const farm = createRunnerFarm();
  farm.github.behaviour.autoComplete = false;
  const handOver: number[] = [];
  let releasedAt: number | undefined;
  const { backend } = farm;
  const originalClone = backend.clone.bind(backend);
  backend.clone = (spec, signal) => {
    if (releasedAt !== undefined) handOver.push(performance.now() - releasedAt);
    releasedAt = undefined;
    return originalClone(spec, signal);
  };
  const originalDestroy = backend.destroy.bind(backend);
  backend.destroy = async (vmId, signal) => {
    await originalDestroy(vmId, signal);
    releasedAt = performance.now();
  };
  await farm.manager.start();
  const ids = Array.from({ length: 100 }, (_, i) => `h${i}`);
  for (const id of ids) farm.github.queue(id, '15_arm64');
  for (const id of ids) {
    await waitFor(() => farm.github.jobs.find((j) => j.buildId === id)?.state === 'in_progress', `${id} in progress`);
    farm.github.complete(id);
    await farm.manager.whenSettled(id);
  }
  console.log(`slot freed → next clone started, 100 jobs queued on one 2-VM host: p50 ${fmt(percentile(handOver, 50))}, p95 ${fmt(percentile(handOver, 95))} (${handOver.length} hand-overs)`);
  await farm.manager.stop();
}

const SCALE = 100;
const BOOT_MS = 15_000;

async function queuedToOnline(warm: boolean): Promise<number[]> {
  const farm = createRunnerFarm({ deadlines: { cloneMs: 60_000, bootMs: 60_000, runnerOnlineMs: 60_000, jobTakenMs: 60_000, warmIdleMs: 60_000 } });
  farm.backend.bootMs = BOOT_MS / SCALE;
  farm.github.behaviour.autoComplete = false;
  await farm.manager.start();
  const results: number[] = [];
  const builds = Array.from({ length: 10 }, (_, i) => `${warm ? 'w' : 'c'}${i}`);
  for (const [i, id] of builds.entries()) {
    const queued = performance.now();
    farm.github.queue(id, '15_arm64');
    await waitFor(() => farm.github.jobs.find((j) => j.buildId === id)?.state === 'in_progress', `${id} in progress`);
    results.push(performance.now() - queued);
    const next = builds[i + 1];
    // While this build runs, the reorder service names the next one: warm it, and let it finish booting.
    if (warm && next !== undefined) {
      farm.manager.warmStart('15_arm64', next);
      await waitFor(() => farm.manager.leases().some((l) => l.buildId === next && l.phase === 'warm'), `${next} warm`);
    }
    farm.github.complete(id);
    await farm.manager.whenSettled(id);
  }
  await farm.manager.stop();
  return results;
}

async function warmStartComparison(): Promise<void> {
  const bootReal = BOOT_MS / SCALE;
  const cold = await queuedToOnline(false);
  const warm = await queuedToOnline(true);
  const coldOverhead = cold.map((ms) => ms - bootReal);
  console.log(
    `queued → job in progress, 15 s boot (simulated 1:${SCALE}), 10 builds in a row:\n` +
      `  without warm start: p50 ${fmt(BOOT_MS + percentile(coldOverhead, 50))}, p95 ${fmt(BOOT_MS + percentile(coldOverhead, 95))} (= 15000 ms boot + controller and runner overhead)\n` +
      `  with warm start:    p50 ${fmt(percentile(warm, 50))}, p95 ${fmt(percentile(warm, 95))} (the first build has no predecessor to warm it: ${fmt(warm[0] === undefined ? NaN : warm[0] - bootReal + BOOT_MS)})`,
  );
  const warmAfterFirst = warm.slice(1);
  console.log(`  warm builds 2–10 only: p50 ${fmt(percentile(warmAfterFirst, 50))}, p95 ${fmt(percentile(warmAfterFirst, 95))}`);
}

await burstOverhead();
await slotHandOver();
await warmStartComparison();
