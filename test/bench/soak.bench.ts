/**
 * `npm run bench:soak [-- --builds N] [-- --platforms P]`: N builds (default 10,000) through
 * the whole stack — GitHub double (OpenAPI-checked), controller (SQLite, its own process),
 * fake VM backend, runner stand-ins with fast jobs whose watchers hand their lists over with
 * OIDC tokens — replaying real MacPorts commits (new revisions once the data set wraps) on P
 * platforms (default 10; one run in flight per platform). Reports the controller's CPU seconds
 * and ms per build, RSS and heap growth start → end after GC, GitHub API calls per build,
 * builds/s, and lost / duplicated from the ledger against GitHub's runs.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { checkFarmInvariants } from '../e2e/farm/check-farm-invariants.ts';
import { startFarm, type ControllerUsage } from '../e2e/farm/farm-harness.ts';

const { values } = parseArgs({ options: { builds: { type: 'string', default: '10000' }, platforms: { type: 'string', default: '10' } } });
const target = Number(values.builds);
const platformCount = Number(values.platforms);
if (!Number.isInteger(target) || target < 1) throw new Error(`--builds ${values.builds}: must be a positive whole number`);
if (!Number.isInteger(platformCount) || platformCount < 1 || platformCount > 10) throw new Error(`--platforms ${values.platforms}: must be 1 to 10`);

const farm = await startFarm({ seed: 1, backend: 'fake', platforms: platformCount, maxStepMs: 20, logLevel: 'warn', keepLog: false, loopIntervalMs: 1000 });
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const cpuSeconds = (u: ControllerUsage): number => (u.cpu.user + u.cpu.system) / 1e6;
try {
  await farm.startController();
  const start = await farm.usage();
  const startedAt = performance.now();
  const finished = (): number => farm.double.runs().filter((r) => r.status === 'completed').length;
  console.log(`soak: ${target} builds, ${platformCount} platforms, fake VM backend; controller RSS ${mib(start.rss)}, heap ${mib(start.heapUsed)} after GC at start`);
  let lastProgress = performance.now();
  // Keep every platform busy: push while fewer than ~2 builds per platform wait, until enough are on their way.
  while (finished() < target) {
    const status = await farm.status();
    const waiting = status.queues.reduce((n, q) => n + q.pending.watchers + q.pending.builders + (q.running === null ? 0 : 1), 0);
    if (waiting < platformCount * 2 && finished() + waiting < target) {
      await farm.replay({ commits: 1, gapMs: [0, 1], freshRevisions: true });
      // The status is published once per scheduling round: let it show the new watchers first.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } else await new Promise((resolve) => setTimeout(resolve, 300));
    if (performance.now() - lastProgress >= 10_000) {
      lastProgress = performance.now();
      const now = await farm.usage();
      const done = finished();
      const seconds = (performance.now() - startedAt) / 1000;
      const cpu = cpuSeconds(now) - cpuSeconds(start);
      console.log(
        `[${seconds.toFixed(0).padStart(5)} s] ${done}/${target} builds, ${(done / seconds).toFixed(1)}/s, controller CPU ${cpu.toFixed(1)} s (${((cpu * 1000) / Math.max(1, done)).toFixed(1)} ms/build), ` +
          `RSS ${mib(now.rss)}, heap ${mib(now.heapUsed)}, API calls/build ${((now.apiCalls - start.apiCalls) / Math.max(1, done)).toFixed(2)}, pushes ${farm.pushed.length}, load ${loadavg()[0]?.toFixed(1) ?? '?'}`,
      );
    }
  }
  await farm.settle(600_000);
  const seconds = (performance.now() - startedAt) / 1000;
  const end = await farm.usage();
  const report = await checkFarmInvariants(farm);
  const builds = report.completedRuns;
  const cpu = cpuSeconds(end) - cpuSeconds(start);
  const figures = {
    builds,
    builders: farm.double.runs().filter((r) => (r.inputs.portname ?? '') !== '').length,
    watchers: farm.double.runs().filter((r) => (r.inputs.portname ?? '') === '').length,
    pushes: farm.pushed.length,
    platforms: platformCount,
    seconds: Number(seconds.toFixed(1)),
    buildsPerSecond: Number((builds / seconds).toFixed(2)),
    controllerCpuSeconds: Number(cpu.toFixed(1)),
    cpuMsPerBuild: Number(((cpu * 1000) / builds).toFixed(2)),
    rssStartMiB: Number((start.rss / 1048576).toFixed(1)),
    rssEndMiB: Number((end.rss / 1048576).toFixed(1)),
    heapStartMiB: Number((start.heapUsed / 1048576).toFixed(1)),
    heapEndMiB: Number((end.heapUsed / 1048576).toFixed(1)),
    apiCallsPerBuild: Number(((end.apiCalls - start.apiCalls) / builds).toFixed(2)),
    lost: report.lost.length,
    duplicated: report.duplicated.length,
    unbuilt: report.unbuilt.length,
    leftoverRegistrations: report.leftoverRegistrations.length,
    schemaViolations: report.schemaViolations,
    loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
  };
  console.log(JSON.stringify(figures));
  if (report.lost.length + report.duplicated.length + report.schemaViolations > 0) {
    console.error(`lost: ${report.lost.slice(0, 10).join(', ')}\nduplicated: ${report.duplicated.slice(0, 10).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await farm.close();
}
