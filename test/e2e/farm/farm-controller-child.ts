/**
 * The controller of the whole-stack fault tests, in its own process so a test can SIGKILL it
 * and start it again on the same SQLite file: `startController` as `portfarm serve` and the
 * demo assemble it, with the VM backend outside the process (Orchard's API, or a "fake" VM
 * whose runner the parent plays over IPC), so hosts outlive a kill. JSON log lines go to
 * stdout (synchronously: a kill at a log line is a kill right after that write); the parent
 * asks for stats and resource use over IPC.
 */
import { appendFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Config } from '../../../controller/config/config-schema.ts';
import { DEFAULT_CONFIG } from '../../../controller/config/default-config.ts';
import { handoffSettings } from '../../../controller/handoff/handoff-settings.ts';
import { REPOSITORY_ID } from '../../handoff/issue-tokens.ts';
import type { FailureMail } from '../../../controller/mail/build-failure-mail.ts';
import { loadPortFacts } from '../../../controller/ports/load-port-facts.ts';
import { loadPortsGraph } from '../../../controller/ports/load-ports-graph.ts';
import { FakeVmBackend } from '../../../controller/runners/backends/fake-vm-backend.ts';
import { OrchardVmBackend } from '../../../controller/runners/backends/orchard-vm-backend.ts';
import type { VmBackend } from '../../../controller/runners/backends/vm-backend.ts';
import { startController } from '../../../controller/serve/start-controller.ts';
import { githubTimeClock } from '../../github-double/github-time.ts';
import type { ChildReply, ChildRequest, FarmChildArgs } from './farm-child-protocol.ts';
import { FARM_STATUS_TOKEN } from './farm-status-token.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as FarmChildArgs;
const log = pino({ level: args.logLevel, base: null }, pino.destination({ fd: 1, sync: true }));
const stop = new AbortController();
const graph = await loadPortsGraph(args.portsJson, stop.signal);
const facts = loadPortFacts(args.portsJson);

const config: Config = {
  ...DEFAULT_CONFIG,
  github: { ...DEFAULT_CONFIG.github, appId: args.appId, apiUrl: args.apiUrl, webhookSecret: args.webhookSecret },
  controller: { ...DEFAULT_CONFIG.controller, host: '127.0.0.1', port: args.port, statusToken: FARM_STATUS_TOKEN },
  platforms: [...args.platforms],
  state: { path: args.statePath },
  site: { out: args.siteDir, baseUrl: DEFAULT_CONFIG.site.baseUrl },
  source: 'fault-test harness',
};

// "Fake" VMs for the soak benchmark: the VM lives here, its runner in the parent (asked over IPC).
const runnerExits = new Map<string, (code: number) => void>();
const send = (reply: ChildReply): void => {
  process.send?.(reply);
};
let backend: VmBackend;
if (args.backend.kind === 'orchard') {
  backend = new OrchardVmBackend({ url: args.backend.url, serviceAccountName: args.backend.user, serviceAccountToken: args.backend.token, pollMs: 20 });
} else {
  backend = new FakeVmBackend({
    images: args.platforms.map((p) => p.image),
    bootMs: args.backend.bootMs,
    cloneMs: args.backend.cloneMs,
    onRunnerStart: (encodedJitConfig, vmId, vmLife) =>
      new Promise<number>((resolve) => {
        runnerExits.set(vmId, resolve);
        vmLife.addEventListener('abort', () => { send({ type: 'vm-gone', vmId }); }, { once: true });
        send({ type: 'runner-start', vmId, encodedJitConfig });
      }),
  });
}

const controller = await startController({
  config,
  version: 'fault-test',
  log,
  privateKey: args.privateKey,
  backends: { [args.backend.kind]: backend },
  graph,
  ports: facts,
  handoff: handoffSettings({ repository: config.github.repo, repositoryId: REPOSITORY_ID, issuer: args.issuer, jwksUrl: args.jwksUrl }),
  ledgerPath: args.ledgerPath,
  mail: {
    send: (mail: FailureMail) => {
      appendFileSync(args.mailLog, `${JSON.stringify({ subject: mail.subject, to: mail.to })}\n`);
      return Promise.resolve({ messageId: `<${String(Date.now())}@farm>`, accepted: [...mail.to], rejected: [] });
    },
    settings: { from: config.mail.from, buildsList: config.mail.buildsList },
  },
  signal: stop.signal,
  installationId: args.installationId,
  writeSpacingMs: 0,
  apiClock: githubTimeClock(args.githubTime.start, args.githubTime.scale),
  loopIntervalMs: args.loopIntervalMs,
  warmStart: false,
  ...(args.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: args.sweepIntervalMs }),
  ...(args.cancelPollMs === undefined ? {} : { cancelPollMs: args.cancelPollMs }),
  runners: {
    watchdogIntervalMs: args.watchdogIntervalMs,
    reconcileIntervalMs: args.reconcileIntervalMs,
    retry: { baseDelayMs: 50, maxDelayMs: 200 },
    deadlines: { runnerOnlineMs: 5_000, jobTakenMs: 20_000 },
  },
});

process.on('message', (raw: ChildRequest) => {
  switch (raw.type) {
    case 'runner-exit':
      runnerExits.get(raw.vmId)?.(raw.code);
      runnerExits.delete(raw.vmId);
      break;
    case 'usage': {
      globalThis.gc?.();
      const memory = process.memoryUsage();
      send({ type: 'usage', cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed, apiCalls: controller.clients.apiCalls(), stats: { ...controller.stats } });
      break;
    }
    case 'idle':
      void controller.recovered.then(() => controller.idle()).then(() => { send({ type: 'idle' }); });
      break;
  }
});
const shutdown = (): void => {
  void controller.close().then(() => {
    stop.abort();
    process.exit(0);
  });
};
process.once('SIGTERM', shutdown);
process.once('disconnect', shutdown);
send({ type: 'ready', url: controller.url });
