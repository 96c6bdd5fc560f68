import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Config, PlatformConfig } from '../../controller/config/config-schema.ts';
import { DEFAULT_CONFIG } from '../../controller/config/default-config.ts';
import { handoffSettings } from '../../controller/handoff/handoff-settings.ts';
import { REPOSITORY_ID } from '../handoff/issue-tokens.ts';
import { FakeVmBackend, type FakeVmBackendOptions } from '../../controller/runners/backends/fake-vm-backend.ts';
import { startController, type RunningController, type StartControllerOptions } from '../../controller/serve/start-controller.ts';
import { startGitHubDouble, type GitHubDouble, type GitHubDoubleOptions } from '../github-double/github-double.ts';
import type { LogEntry } from '../runners/runner-farm.ts';
import { freePort } from '../../controller/net/free-port.ts';

export const PLATFORM: PlatformConfig = {
  name: '15_arm64',
  labels: ['macos-15'],
  image: 'macos-15-base',
  parallelBuilds: 1,
  backend: 'fake',
  hosts: [
    { name: 'mini-1', address: '127.0.0.1', maxVms: 2 },
    { name: 'mini-2', address: '127.0.0.1', maxVms: 2 },
  ],
};

/** The status token the harness's controller takes (`Authorization: Bearer …`). */
export const STATUS_TOKEN = 'serve-harness-status-token';
/** `fetch` options that carry it. */
export const WITH_STATUS_TOKEN = { headers: { authorization: `Bearer ${STATUS_TOKEN}` } } as const;

export interface ServeHarness {
  readonly controller: RunningController;
  /** Closes the controller (as a deploy or crash would stop it) and starts a new one on the same state and double. */
  restart(): Promise<RunningController>;
  readonly double: GitHubDouble;
  readonly backend: FakeVmBackend;
  readonly stateDir: string;
  readonly logs: LogEntry[];
  close(): Promise<void>;
}

/**
 * `portfarm serve` as the CLI composes it, on loopback: the GitHub double, the fake VM backend,
 * a state folder of its own, logs captured. `prepare` runs before the controller starts (e.g.
 * to write the image registry); `configure` and `options` change the config and start options.
 */
export async function startServeHarness(
  setup: {
    readonly images?: readonly string[];
    readonly backendOptions?: Partial<FakeVmBackendOptions>;
    readonly prepare?: (stateDir: string) => void;
    readonly configure?: (config: Config) => Config;
    readonly options?: Partial<StartControllerOptions>;
    readonly doubleOptions?: Pick<GitHubDoubleOptions, 'pullRequestWorkflows' | 'collaborators' | 'organization'>;
  } = {},
): Promise<ServeHarness> {
  const stateDir = mkdtempSync(join(tmpdir(), 'portfarm-serve-'));
  setup.prepare?.(stateDir);
  const logs: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogEntry);
      callback();
    },
  });
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const double = await startGitHubDouble({ webhookUrl: `http://127.0.0.1:${port}/webhooks`, webhookSecret: secret, repo: 'macports/macports-ports', defaultBranch: 'master', ...setup.doubleOptions });
  const backend = new FakeVmBackend({ images: setup.images ?? [PLATFORM.image], bootMs: 1, ...setup.backendOptions });
  const base: Config = {
    ...DEFAULT_CONFIG,
    github: { ...DEFAULT_CONFIG.github, appId: double.appId, apiUrl: double.url, webhookSecret: secret },
    controller: { ...DEFAULT_CONFIG.controller, host: '127.0.0.1', port, statusToken: STATUS_TOKEN },
    platforms: [PLATFORM],
    state: { path: join(stateDir, 'portfarm.sqlite') },
    source: 'test',
  };
  const config = setup.configure?.(base) ?? base;
  const stop = new AbortController();
  const begin = (): Promise<RunningController> => startController({
    config,
    version: 'test',
    log: pino({ base: null, timestamp: false }, stream),
    privateKey: double.appPrivateKey ?? '',
    backends: { fake: backend },
    graph: null,
    ports: { maintainersOf: () => [], versionOf: () => undefined },
    handoff: handoffSettings({ repository: config.github.repo, repositoryId: REPOSITORY_ID }),
    ledgerPath: join(stateDir, 'ledger.ndjson'),
    mail: null,
    signal: stop.signal,
    installationId: double.installationId,
    writeSpacingMs: 0,
    loopIntervalMs: 60_000,
    warmStart: false,
    runners: { watchdogIntervalMs: 50, reconcileIntervalMs: 0 },
    ...setup.options,
  });
  let controller = await begin();
  return {
    get controller() { return controller; },
    restart: async () => {
      await controller.close();
      controller = await begin();
      return controller;
    },
    double,
    backend,
    stateDir,
    logs,
    close: async () => {
      // A recovery request cut off by the close is retried by octokit's throttler on a 15 s timer.
      await controller.recovered;
      await controller.idle();
      await controller.close();
      stop.abort();
      await double.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

