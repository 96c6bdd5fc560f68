/**
 * A controller process for the kill -9 test: a runner manager on the tart backend (fake tart
 * CLI, state on disk) and the GitHub double's runner API, fed one queued job. It logs JSON
 * lines on stdout; the test kills it with SIGKILL at a chosen log line.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from 'octokit';
import { pino } from 'pino';
import { TartVmBackend } from '../../controller/runners/backends/tart-vm-backend.ts';
import { GithubRunnerRegistry } from '../../controller/runners/github-runner-registry.ts';
import { RunnerManager } from '../../controller/runners/runner-manager.ts';
import { FAKE_TART, tartEnv } from './fake-tart-env.ts';
import { PLATFORM_15 } from './runner-farm.ts';

export interface KillNineChildArgs {
  readonly tartHome: string;
  readonly apiUrl: string;
  readonly appId: number;
  readonly privateKey: string;
  readonly installationId: number;
  readonly repo: string;
  readonly buildId: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as KillNineChildArgs;
const octokit = new Octokit({
  baseUrl: args.apiUrl,
  authStrategy: createAppAuth,
  auth: { appId: args.appId, privateKey: args.privateKey, installationId: args.installationId },
  log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
});
const manager = new RunnerManager({
  platforms: [{ ...PLATFORM_15, backend: 'tart', hosts: [{ name: 'mini-1', address: '127.0.0.1', maxVms: 2 }] }],
  backends: { tart: new TartVmBackend({ tartPath: FAKE_TART, env: tartEnv(args.tartHome, 0), pollMs: 20 }) },
  registry: new GithubRunnerRegistry({ octokit, repo: args.repo }),
  logger: pino({ base: null, timestamp: false }),
  // The "runner" never connects: the VM and its registration stay until the kill.
  runnerCommand: () => ['sleep', '600'],
  reconcileIntervalMs: 0,
});
// The manager's own timers are unref'ed and `tart run` is detached: in `serve` the HTTP server keeps
// the process alive. Here nothing else would, and the child exited silently while polling for the boot.
setInterval(() => undefined, 1 << 30);
await manager.start();
manager.handleWorkflowJob({
  action: 'queued',
  jobId: 1,
  runId: 1,
  labels: ['self-hosted', '15_arm64', `portfarm-build-${args.buildId}`],
  runnerId: null,
  runnerName: null,
  conclusion: null,
});
