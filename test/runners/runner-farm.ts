import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import type { PlatformConfig } from '../../controller/config/config-schema.ts';
import { FakeVmBackend } from '../../controller/runners/backends/fake-vm-backend.ts';
import { RunnerManager, type RunnerFailure, type RunnerManagerOptions } from '../../controller/runners/runner-manager.ts';
import { FakeGithubJobs } from './fake-github-jobs.ts';
import { InMemoryRunnerRegistry } from './in-memory-runner-registry.ts';

export interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export const PLATFORM_15: PlatformConfig = {
  name: '15_arm64',
  labels: ['macos-15'],
  image: 'macos-15-base',
  parallelBuilds: 1,
  backend: 'fake',
  hosts: [{ name: 'mini-1', address: '10.0.0.21', maxVms: 2 }],
};

export const PLATFORM_14: PlatformConfig = {
  name: '14_x86_64',
  labels: [],
  image: 'macos-14-base',
  parallelBuilds: 1,
  backend: 'fake',
  hosts: [{ name: 'mini-1', address: '10.0.0.21', maxVms: 2 }],
};

/** A manager on the fake backend with the in-memory registry, the job board, captured logs and short deadlines. */
export function createRunnerFarm(overrides: Partial<RunnerManagerOptions> = {}): {
  manager: RunnerManager;
  backend: FakeVmBackend;
  registry: InMemoryRunnerRegistry;
  github: FakeGithubJobs;
  logs: LogEntry[];
  rejections: EventRejections;
  failures: RunnerFailure[];
  nextFailure: () => Promise<RunnerFailure>;
} {
  const logs: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogEntry);
      callback();
    },
  });
  const logger = pino({ base: null, timestamp: false }, stream);
  const registry = new InMemoryRunnerRegistry();
  const github = new FakeGithubJobs(registry);
  const backend = new FakeVmBackend({ images: ['macos-15-base', 'macos-14-base'], onRunnerStart: github.runnerStandIn });
  const failures: RunnerFailure[] = [];
  const rejections = new EventRejections({ registry: new Registry(), log: logger });
  let waiting: ((failure: RunnerFailure) => void) | undefined;
  const manager = new RunnerManager({
    platforms: [PLATFORM_15],
    backends: { fake: backend },
    registry,
    logger,
    recordedRunOf: github.recordedRunOf,
    rejections,
    deadlines: { cloneMs: 5_000, bootMs: 5_000, runnerOnlineMs: 5_000, jobTakenMs: 5_000, warmIdleMs: 5_000 },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    watchdogIntervalMs: 10,
    reconcileIntervalMs: 0,
    onBuildFailed: (failure) => {
      failures.push(failure);
      waiting?.(failure);
    },
    ...overrides,
  });
  github.attach(manager);
  const nextFailure = (): Promise<RunnerFailure> =>
    new Promise((resolve) => {
      waiting = resolve;
    });
  return { manager, backend, registry, github, logs, rejections, failures, nextFailure };
}

/** The log lines of one build, as `msg` strings, in order. */
export function messagesOf(logs: readonly LogEntry[], buildId: string): string[] {
  return logs.filter((l) => l['buildId'] === buildId).map((l) => l.msg);
}

/** Waits for a state the farm reaches by itself, checking after each turn of the event loop (no timers). */
export async function waitFor(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let turns = 0; turns < 200_000; turns += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`${what} not reached`);
}
