import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from 'octokit';
import { Registry } from 'prom-client';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import { TartVmBackend } from '../../controller/runners/backends/tart-vm-backend.ts';
import { GithubRunnerRegistry } from '../../controller/runners/github-runner-registry.ts';
import { RunnerManager, type RunnerManagerOptions } from '../../controller/runners/runner-manager.ts';
import { FAKE_TART, tartEnv } from './fake-tart-env.ts';
import { PLATFORM_15 } from './runner-farm.ts';

/** Where the kill -9 test's controllers keep their VMs and which GitHub (the double) they register with. */
export interface KillNineFarm {
  readonly tartHome: string;
  readonly apiUrl: string;
  readonly appId: number;
  readonly privateKey: string;
  readonly installationId: number;
  readonly repo: string;
}

/**
 * The runner manager of the kill -9 test, the same for the controller that is killed (a child
 * process) and the one started after it (in the test): tart backend on the fake tart CLI, one
 * host, the double's runner API through octokit, no periodic reconcile.
 */
export function killNineManager(farm: KillNineFarm, options: Pick<RunnerManagerOptions, 'logger'> & Partial<RunnerManagerOptions>): { manager: RunnerManager; backend: TartVmBackend } {
  const octokit = new Octokit({
    baseUrl: farm.apiUrl,
    authStrategy: createAppAuth,
    auth: { appId: farm.appId, privateKey: farm.privateKey, installationId: farm.installationId },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const backend = new TartVmBackend({ tartPath: FAKE_TART, env: tartEnv(farm.tartHome, 0), pollMs: 20 });
  const manager = new RunnerManager({
    platforms: [{ ...PLATFORM_15, backend: 'tart', hosts: [{ name: 'mini-1', address: '127.0.0.1', maxVms: 2 }] }],
    backends: { tart: backend },
    registry: new GithubRunnerRegistry({ octokit, repo: farm.repo }),
    // Every build of this test is run 1's (the child's one queued job).
    recordedRunOf: () => ({ runId: 1, runAttempt: null }),
    rejections: new EventRejections({ registry: new Registry(), log: options.logger }),
    reconcileIntervalMs: 0,
    ...options,
  });
  return { manager, backend };
}
