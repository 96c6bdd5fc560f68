import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Config } from '../../controller/config/config-schema.ts';
import type { RunnerJobMessage } from '../github-double/github-double.ts';
import type { DoublePermission } from '../github-double/foreign-run-spec.ts';
import type { PushSpec } from '../github-double/github-objects.ts';
import type { OrganizationSpec } from '../github-double/runner-groups.ts';
import { startRunnerStandIn } from '../github-double/runner-stand-in.ts';
import { waitFor, type LogEntry } from '../runners/runner-farm.ts';
import { startServeHarness, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';

export const REV1 = '1'.repeat(40);

/** A push to master touching curl's Portfile: one watcher on 15_arm64. */
export const curlPush: PushSpec = {
  ref: 'refs/heads/master',
  before: '0'.repeat(40),
  after: REV1,
  commits: [{ id: REV1, message: 'curl: update', timestamp: '2026-11-26T08:00:00Z', added: [], removed: [], modified: ['net/curl/Portfile'] }],
};

export interface FarmUnderAttack {
  readonly h: ServeHarness;
  /** Let the jobs of runs whose name matches finish (their VMs' runners hold every step until then). */
  release(runName: RegExp): void;
  /** Everything an attacker would like to change: the queue rows, the ledger, the farm's check runs. */
  state(): FarmState;
  /** `portfarm_events_rejected_total{reason}` as /metrics shows it. */
  rejected(reason: string): Promise<number>;
  /** The warn lines the trust boundary wrote for `reason`. */
  rejectionLogs(reason: string): readonly LogEntry[];
  /** Waits until the double's deliveries are answered and the controller has done their work. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface FarmState {
  readonly queue: readonly Record<string, unknown>[];
  readonly ledger: string;
  readonly checks: readonly (readonly [string, string, string | null])[];
}

/**
 * `portfarm serve` against the GitHub double with VMs whose runners (the double's stand-ins)
 * hold every step until the test releases their run: builds stay in flight while forged events
 * arrive, and the real runs can still finish them afterwards.
 */
export async function startFarmUnderAttack(
  setup: { readonly collaborators?: Readonly<Record<string, DoublePermission>>; readonly organization?: OrganizationSpec; readonly configure?: (config: Config) => Config } = {},
): Promise<FarmUnderAttack> {
  const released: RegExp[] = [];
  const waiting = new Set<() => void>();
  const releasedFor = (job: RunnerJobMessage): boolean => released.some((r) => r.test(job.runName));
  const h = await startServeHarness({
    doubleOptions: { ...(setup.collaborators === undefined ? {} : { collaborators: setup.collaborators }), ...(setup.organization === undefined ? {} : { organization: setup.organization }) },
    ...(setup.configure === undefined ? {} : { configure: setup.configure }),
    backendOptions: {
      onRunnerStart: async (encodedJitConfig, _vmId, signal) => {
        const runner = startRunnerStandIn({
          encodedJitConfig,
          signal,
          runStep: async (_step, job, s) => {
            while (!releasedFor(job) && !s.aborted) await new Promise<void>((resolve) => { waiting.add(resolve); s.addEventListener('abort', () => { resolve(); }, { once: true }); });
            return 'success';
          },
        });
        const exit = await runner.exited;
        return exit.conclusion === 'success' ? 0 : 1;
      },
    },
  });
  const url = (): string => h.controller.url;
  return {
    h,
    release(runName) {
      released.push(runName);
      for (const wake of [...waiting]) wake();
      waiting.clear();
    },
    state() {
      const db = new DatabaseSync(join(h.stateDir, 'portfarm.sqlite'), { readOnly: true });
      try {
        const queue = db.prepare('select * from queue_entry order by rowid').all().map((row) => ({ ...row }));
        const ledgerPath = join(h.stateDir, 'ledger.ndjson');
        const ledger = existsSync(ledgerPath) ? readFileSync(ledgerPath, 'utf8') : '';
        const checks = h.double.checkRuns().filter((c) => c.app === 'portfarm').map((c) => [c.name, c.status, c.conclusion] as const);
        return { queue, ledger, checks };
      } finally {
        db.close();
      }
    },
    async rejected(reason) {
      const text = await (await fetch(`${url()}/metrics`, WITH_STATUS_TOKEN)).text();
      const line = text.split('\n').find((l) => l.startsWith(`portfarm_events_rejected_total{reason="${reason}"}`));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    },
    rejectionLogs(reason) {
      return h.logs.filter((l) => l.msg === `event rejected: ${reason}`);
    },
    async settle() {
      await h.double.deliveriesSettled();
      await h.controller.idle();
    },
    async close() {
      released.push(/./);
      for (const wake of [...waiting]) wake();
      await h.close();
    },
  };
}

/** Pushes curl and waits until its watcher's run is dispatched and its VM's runner holds the job; returns the watcher's build id and run id. */
export async function watcherInFlight(farm: FarmUnderAttack): Promise<{ readonly buildId: string; readonly runId: number }> {
  const { h } = farm;
  h.double.push(curlPush);
  await waitFor(() => h.double.jobs().some((j) => j.status === 'in_progress'), 'the watcher job running on its VM');
  const entry = h.controller.reorder.inFlight().find((e) => e.kind === 'watcher');
  if (entry?.runId === null || entry === undefined) throw new Error('no watcher in flight with a run id');
  await farm.settle();
  return { buildId: entry.buildId, runId: entry.runId };
}
