/**
 * The whole farm for fault tests, with the controller in a child process it can SIGKILL and
 * start again on the same state. In this process: the GitHub double (OpenAPI-checked), the
 * OIDC issuer, and the Mac hosts — Orchard's API (its double) whose VMs run the runner
 * stand-in from their startup script, so VMs and running jobs outlive a controller kill.
 * Jobs are fast (`fast-job.ts`); commits are real ones from the demo's data set.
 *
 *   const farm = await startFarm({ seed: 1 });
 *   await farm.startController();
 *   await farm.replay({ commits: 10 });
 *   await farm.settle();
 *   assertFarmInvariants(await checkFarmInvariants(farm));
 *   await farm.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from '../../../controller/config/config-schema.ts';
import { loadDemoCommits, type DemoCommit } from '../../../controller/demo/load-demo-commits.ts';
import { seededRandom } from '../../../controller/sim/seeded-random.ts';
import type { StatusSnapshot } from '../../../controller/status/status-snapshot.ts';
import { startGitHubDouble, type GitHubDouble } from '../../github-double/github-double.ts';
import { githubTimeClock } from '../../github-double/github-time.ts';
import type { RateLimitOptions } from '../../github-double/rate-limits.ts';
import { startRunnerStandIn, type RunnerStandIn } from '../../github-double/runner-stand-in.ts';
import { createSchemaValidator } from '../../github-double/schema-validator.ts';
import { startTokenIssuer } from '../../handoff/issue-tokens.ts';
import { startOrchardDouble, type OrchardDouble } from '../../runners/orchard-double/orchard-double.ts';
import type { ChildReply, ChildRequest, FarmChildArgs } from './farm-child-protocol.ts';
import { fastJobSteps, type JobPlan } from './fast-job.ts';
import { freePort } from '../../../controller/net/free-port.ts';
import { FARM_STATUS_TOKEN } from './farm-status-token.ts';
import { farmPlatforms } from './farm-platforms.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const DATA = join(ROOT, 'controller', 'demo', 'data');
const CHILD = join(HERE, 'farm-controller-child.ts');
const PORTS_JSON = join(DATA, 'ports.json');

/** Two platforms; 15_arm64 on two hosts, 14_x86_64 on one (as the demo's defaults). */
export const FARM_HOSTS = ['mini-1', 'mini-2', 'pro-1'] as const;

export interface FarmOptions {
  readonly seed: number;
  /** Ports whose builders fail in install-port (default: none). */
  readonly failingPorts?: readonly string[];
  /** Ports whose builders fail on one platform until `farm.fix` (a broken dependency and its fix commit). */
  readonly brokenPorts?: readonly { readonly port: string; readonly platform: string }[];
  /** `platforms[].parallelBuilds` of every platform (default 1). */
  readonly parallelBuilds?: number;
  /** Called once the controller took a watcher's port list. */
  readonly onHandedOff?: (list: { readonly platform: string; readonly ports: readonly string[] }) => void;
  /** Called as the Orchard double creates a VM. */
  readonly onVmCreated?: (name: string) => void;
  /** The longest main step of a job (default 150 ms). */
  readonly maxStepMs?: number;
  /** Orchard double: the Macs live in this process (default). `fake`: VMs in the controller, runners here over IPC (the soak benchmark). */
  readonly backend?: 'orchard' | 'fake';
  readonly loopIntervalMs?: number;
  readonly sweepIntervalMs?: number;
  readonly logLevel?: 'info' | 'warn';
  /** Keep the controller's log lines (default true; the soak benchmark turns it off). */
  readonly keepLog?: boolean;
  /** Index of the first commit replayed in the data set (seeds start at different places). */
  readonly firstCommit?: number;
  /** Platforms (fake backend only; default 2): more platforms, more runs at once. */
  readonly platforms?: number;
  /** GitHub's rate limits in the double (default none), counted in GitHub time. */
  readonly rateLimits?: Omit<RateLimitOptions, 'clock' | 'timeScale'>;
  /** GitHub seconds per wall second, for the double's limits and the controller's waits alike (default 1). */
  readonly githubTimeScale?: number;
}

export interface ControllerUsage {
  readonly cpu: NodeJS.CpuUsage;
  readonly rss: number;
  readonly heapUsed: number;
  readonly apiCalls: number;
  readonly stats: Record<string, number>;
}

export interface Farm {
  readonly dir: string;
  readonly double: GitHubDouble;
  readonly orchard: OrchardDouble | null;
  readonly ledgerPath: string;
  /** The controller's state database (SQLite). */
  readonly statePath: string;
  readonly mailLog: string;
  readonly platforms: readonly PlatformConfig[];
  /** Commits pushed so far, in order. */
  readonly pushed: readonly DemoCommit[];
  readonly controllerUrl: string;
  /** Whether a controller process runs now. */
  running(): boolean;
  /**
   * Starts the controller on the farm's state; resolves when it listens. `crashAt` arms a
   * crash point in this life only (`PORTFARM_CRASH_AT`, controller/errors/crash-point.ts).
   */
  startController(options?: { readonly crashAt?: string }): Promise<void>;
  /** Resolves when the controller now running exits, however it ends (at once when none runs). */
  controllerExited(): Promise<void>;
  /** SIGKILL, no goodbye; resolves when the process is gone. */
  killController(): Promise<void>;
  /** SIGTERM: the graceful stop `portfarm serve` does. */
  stopController(): Promise<void>;
  /** Called with each JSON log line of the controller (until the next start replaces it). */
  onLog(listener: ((line: string, count: number) => void) | null): void;
  /** Log lines of every controller life so far. */
  logLines(): number;
  /** Pushes the next `count` real commits, `gapMs` apart (seeded in [min, max]). */
  /** Pushes one made-up commit that touches `ports` (a new revision). */
  pushPorts(ports: readonly string[]): DemoCommit;
  /** Builders of a broken port build again on its platform (pushing the fix commit is the caller's). */
  fix(port: string): void;
  replay(options: { readonly commits: number; readonly gapMs?: readonly [number, number]; readonly signal?: AbortSignal; readonly freshRevisions?: boolean }): Promise<void>;
  /** The controller's status snapshot (GET /api/status). */
  status(): Promise<StatusSnapshot>;
  /** Waits until nothing is queued, in flight or being delivered, and VMs and registrations are gone (or the time is up). */
  settle(timeoutMs?: number): Promise<void>;
  /** CPU, memory (after GC), API calls and stats of the running controller. */
  usage(): Promise<ControllerUsage>;
  /** Hand-offs that failed (controller down, refused), by build id. */
  readonly handOffFailures: readonly { readonly buildId: string; readonly why: string }[];
  /** Stops everything; the farm's folder (state, controller log) is removed unless `keep` or `PORTFARM_KEEP_FARM` is set. */
  close(options?: { readonly keep?: boolean }): Promise<void>;
}

export async function startFarm(options: FarmOptions): Promise<Farm> {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-faults-'));
  const random = seededRandom(options.seed);
  const stops: (() => Promise<void>)[] = [];
  const runners = new Set<RunnerStandIn>();
  const handOffFailures: { buildId: string; why: string }[] = [];
  const backendKind = options.backend ?? 'orchard';
  try {
    const issuer = await startTokenIssuer();
    stops.push(issuer.close);
    const port = await freePort();
    const controllerUrl = `http://127.0.0.1:${port}`;
    const secret = randomBytes(16).toString('hex');
    const githubTime = { start: Date.now(), scale: options.githubTimeScale ?? 1 };
    const clock = githubTimeClock(githubTime.start, githubTime.scale);
    const rateLimits = options.rateLimits === undefined ? {} : { rateLimits: { ...options.rateLimits, clock: () => clock.now() } };
    const double = await startGitHubDouble({ port: 0, webhookUrl: `${controllerUrl}/webhooks`, webhookSecret: secret, schema: sharedSchema(), ...rateLimits });
    stops.push(() => double.close());
    const broken = new Set((options.brokenPorts ?? []).map((b) => `${b.platform} ${b.port}`));
    const plan: JobPlan = { failingPorts: new Set(options.failingPorts ?? []), broken, random, maxStepMs: options.maxStepMs ?? 150 };
    const runStep = fastJobSteps({
      controllerUrl,
      plan,
      issueToken: (claims) => issuer.issue({ claims }),
      onHandOffFailed: (buildId, why) => { handOffFailures.push({ buildId, why }); },
      ...(options.onHandedOff === undefined ? {} : { onHandedOff: options.onHandedOff }),
    });
    const startRunner = (encodedJitConfig: string, signal: AbortSignal): RunnerStandIn => {
      const runner = startRunnerStandIn({ encodedJitConfig, signal, runStep });
      runners.add(runner);
      void runner.exited.finally(() => runners.delete(runner));
      return runner;
    };

    const service = { user: 'portfarm', token: randomBytes(8).toString('hex') };
    const images = ['macos-15-base', 'macos-14-base'];
    let orchard: OrchardDouble | null = null;
    if (backendKind === 'orchard') {
      orchard = await startOrchardDouble({
        images,
        workers: FARM_HOSTS.map((name) => ({ name, labels: { 'portfarm-host': name }, tartVms: 2 })),
        serviceAccount: { name: service.user, token: service.token },
        pollsToRun: 2,
        ...(options.onVmCreated === undefined ? {} : { onVmCreated: options.onVmCreated }),
        // The worker runs the startup script (the runner command, its JIT config in a here-document on stdin): the runner stand-in, for the VM's life.
        onStartupScript: async (script, _vm, signal) => {
          const jit = /<<'PORTFARM_RUNNER_INPUT'\n([A-Za-z0-9+/=]+)\nPORTFARM_RUNNER_INPUT\n$/.exec(script.scriptContent)?.[1];
          if (jit === undefined) return 2;
          const exit = await startRunner(jit, signal).exited;
          return exit.jobId === null && !signal.aborted ? 1 : 0;
        },
      });
      const o = orchard;
      stops.push(() => o.close());
    }
    const platforms = farmPlatforms(backendKind, options.platforms ?? 2, options.parallelBuilds ?? 1);
    const categories = new Map((JSON.parse(readFileSync(PORTS_JSON, 'utf8')) as { name: string; category: string }[]).map((p) => [p.name, p.category]));
    const commits = await loadDemoCommits(join(DATA, 'commits.ndjson'), (p) => categories.get(p) ?? 'sysutils');
    const ledgerPath = join(dir, 'state', 'ledger.ndjson');
    const statePath = join(dir, 'state', 'portfarm.sqlite');
    const mailLog = join(dir, 'mail.ndjson');
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(mailLog, '');
    const args: FarmChildArgs = {
      port,
      apiUrl: double.url,
      appId: double.appId,
      privateKey: double.appPrivateKey ?? '',
      installationId: double.installationId,
      webhookSecret: secret,
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      platforms,
      backend: orchard === null ? { kind: 'fake', bootMs: 0, cloneMs: 0 } : { kind: 'orchard', url: orchard.url, user: service.user, token: service.token },
      portsJson: PORTS_JSON,
      statePath,
      ledgerPath,
      siteDir: join(dir, 'site'),
      mailLog,
      logLevel: options.logLevel ?? 'info',
      loopIntervalMs: options.loopIntervalMs ?? 250,
      watchdogIntervalMs: 200,
      // Production reconciles every 5 min; here every 2 s (a VM whose delete failed is reaped by it).
      reconcileIntervalMs: 2000,
      ...(options.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.sweepIntervalMs }),
      cancelPollMs: 100,
      githubTime,
    };

    let child: ChildProcess | null = null;
    let exited: Promise<void> = Promise.resolve();
    let listener: ((line: string, count: number) => void) | null = null;
    let lines = 0;
    const keepLog = options.keepLog ?? true;
    const logFile = join(dir, 'controller.log');
    const fakeRunners = new Map<string, RunnerStandIn>();
    const replies = new Set<(reply: ChildReply) => void>();
    const pushed: DemoCommit[] = [];
    let before = '0'.repeat(40);
    const pushCommit = (commit: DemoCommit): void => {
      double.push({
        ref: 'refs/heads/master',
        before,
        after: commit.sha,
        commits: [{ id: commit.sha, message: commit.ports.join(', '), timestamp: commit.time, added: [], removed: [], modified: commit.paths }],
      });
      before = commit.sha;
      pushed.push(commit);
    };

    const request = <T extends ChildReply['type']>(message: ChildRequest, want: T): Promise<Extract<ChildReply, { type: T }>> => {
      const current = child;
      if (current === null) return Promise.reject(new Error('no controller runs'));
      return new Promise((resolve, reject) => {
        const onReply = (reply: ChildReply): void => {
          if (reply.type !== want) return;
          replies.delete(onReply);
          resolve(reply as Extract<ChildReply, { type: T }>);
        };
        replies.add(onReply);
        void exited.then(() => { replies.delete(onReply); reject(new Error('the controller exited')); });
        // The controller may die between the check above and this send (a kill -9 at a crash
        // point while the farm settles): the closed channel is this request's failure, not an
        // unhandled 'error' event that fails the whole test.
        current.send(message, (error) => {
          if (error === null) return;
          replies.delete(onReply);
          reject(error);
        });
      });
    };

    const farm: Farm = {
      dir,
      double,
      orchard,
      ledgerPath,
      statePath,
      mailLog,
      platforms,
      pushed,
      controllerUrl,
      handOffFailures,
      running: () => child !== null,
      async startController(startOptions = {}) {
        if (child !== null) throw new Error('the controller already runs');
        // The compile cache halves the CPU a start costs (most of it is loading modules).
        const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: join(tmpdir(), 'portfarm-compile-cache') };
        delete env.PORTFARM_CRASH_AT;
        if (startOptions.crashAt !== undefined) env.PORTFARM_CRASH_AT = startOptions.crashAt;
        const proc = spawn(process.execPath, ['--expose-gc', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env });
        child = proc;
        exited = new Promise<void>((resolve) => proc.once('exit', () => { resolve(); }));
        void exited.then(() => { if (child === proc) child = null; });
        proc.on('message', (reply: ChildReply) => {
          if (reply.type === 'runner-start') {
            const life = new AbortController();
            const runner = startRunner(reply.encodedJitConfig, life.signal);
            fakeRunners.set(reply.vmId, runner);
            void runner.exited.then((exit) => {
              fakeRunners.delete(reply.vmId);
              if (proc.connected) proc.send({ type: 'runner-exit', vmId: reply.vmId, code: exit.jobId === null ? 1 : 0 } satisfies ChildRequest, () => undefined);
            });
          } else if (reply.type === 'vm-gone') {
            void fakeRunners.get(reply.vmId)?.stop();
          }
          for (const r of [...replies]) r(reply);
        });
        if (proc.stdout === null) throw new Error('the controller has no stdout');
        const reader = createInterface({ input: proc.stdout });
        const kept: string[] = [];
        reader.on('line', (line) => {
          lines += 1;
          if (keepLog) kept.push(line);
          if (kept.length >= 200) writeFileSync(logFile, `${kept.splice(0).join('\n')}\n`, { flag: 'a' });
          listener?.(line, lines);
        });
        reader.once('close', () => { if (kept.length > 0) writeFileSync(logFile, `${kept.splice(0).join('\n')}\n`, { flag: 'a' }); });
        await new Promise<void>((resolve, reject) => {
          const onReply = (reply: ChildReply): void => {
            if (reply.type !== 'ready') return;
            replies.delete(onReply);
            resolve();
          };
          replies.add(onReply);
          void exited.then(() => { reject(new Error(`the controller exited before it listened (log: ${logFile})`)); });
        });
      },
      controllerExited: () => exited,
      async killController() {
        const proc = child;
        if (proc === null) return;
        proc.kill('SIGKILL');
        await exited;
        // The fake backend's VMs lived in the killed process: their runners die with them.
        for (const runner of fakeRunners.values()) void runner.stop();
      },
      async stopController() {
        const proc = child;
        if (proc === null) return;
        proc.kill('SIGTERM');
        await exited;
      },
      onLog(next) {
        listener = next;
      },
      logLines: () => lines,
      pushPorts(ports) {
        const commit: DemoCommit = { sha: randomBytes(20).toString('hex'), time: new Date().toISOString(), ports: [...ports], paths: ports.map((p) => `${categories.get(p) ?? 'sysutils'}/${p}/Portfile`) };
        pushCommit(commit);
        return commit;
      },
      fix(port) {
        for (const key of [...broken]) if (key.endsWith(` ${port}`)) broken.delete(key);
      },
      async replay({ commits: count, gapMs = [30, 200], signal, freshRevisions = false }) {
        const [min, max] = gapMs;
        for (let i = 0; i < count; i += 1) {
          signal?.throwIfAborted();
          const real = commits[((options.firstCommit ?? 0) + pushed.length) % commits.length];
          if (real === undefined) break;
          // A long soak wraps around the data set: the same ports, new revisions.
          const commit = freshRevisions ? { ...real, sha: randomBytes(20).toString('hex') } : real;
          pushCommit(commit);
          await new Promise((resolve) => setTimeout(resolve, min + Math.floor(random() * (max - min))));
        }
      },
      async status() {
        const response = await fetch(`${controllerUrl}/api/status`, { headers: { authorization: `Bearer ${FARM_STATUS_TOKEN}` } });
        return (await response.json()) as StatusSnapshot;
      },
      async settle(timeoutMs = 90_000) {
        const until = Date.now() + timeoutMs;
        let quiet = 0;
        let last = '';
        while (Date.now() < until) {
          await double.deliveriesSettled();
          const open = double.runs().filter((r) => r.status !== 'completed').length;
          let queued = -1;
          let slots = -1;
          // Builders parked for a port in flight are out of the pending count (count-pending.ts): with
          // nothing in flight, one still parked is a stuck build, not a quiet farm.
          let parkedOnRunning = -1;
          if (child !== null) {
            await request({ type: 'idle' }, 'idle').catch(() => undefined);
            const snapshot = await farm.status().catch(() => undefined);
            if (snapshot !== undefined) {
              queued = snapshot.queues.reduce((n, q) => n + q.pending.watchers + q.pending.builders + q.pending.pr + q.inFlight, 0);
              parkedOnRunning = snapshot.queues.reduce((n, q) => n + q.waiting.filter((w) => w.reason === 'running').length, 0);
              slots = snapshot.hosts.reduce((n, h) => n + h.slots.filter((s) => s.state !== 'empty').length, 0);
            }
          }
          const vms = orchard?.vmNames().length ?? 0;
          const registrations = double.runners().length;
          last = `open runs ${open}, queued ${queued}, parked for a running port ${parkedOnRunning}, busy slots ${slots}, VMs ${vms}, registrations ${registrations}`;
          quiet = open === 0 && queued === 0 && parkedOnRunning === 0 && slots === 0 && vms === 0 && registrations === 0 ? quiet + 1 : 0;
          if (quiet >= 3) return;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error(`the farm did not settle within ${timeoutMs} ms: ${last} (log: ${logFile})`);
      },
      async usage() {
        const reply = await request({ type: 'usage' }, 'usage');
        return { cpu: reply.cpu, rss: reply.rss, heapUsed: reply.heapUsed, apiCalls: reply.apiCalls, stats: { ...reply.stats } };
      },
      async close(closeOptions = {}) {
        await farm.killController();
        for (const runner of [...runners]) await runner.stop();
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
        if (closeOptions.keep !== true && process.env.PORTFARM_KEEP_FARM === undefined) rmSync(dir, { recursive: true, force: true });
      },
    };
    return farm;
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

let schema: ReturnType<typeof createSchemaValidator> | undefined;
/** One OpenAPI validator per test process (loading it takes a moment). */
function sharedSchema(): ReturnType<typeof createSchemaValidator> {
  schema ??= createSchemaValidator();
  return schema;
}

