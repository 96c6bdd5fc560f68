import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { DistfileChecksumsStore } from '../../controller/caches/distfile-checksums-store.ts';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { createCatchUpSweep, type CatchUpSweep } from '../../controller/flows/catch-up-sweep.ts';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { createOnBuildFinished, type BuildFinished } from '../../controller/flows/on-build-finished.ts';
import { createOnLedgeredBuild } from '../../controller/flows/on-ledgered-build.ts';
import { createOnPortList } from '../../controller/flows/on-port-list.ts';
import type { CheckRunState } from '../../controller/github/check-run-publisher.ts';
import type { AcceptPortList } from '../../controller/handoff/create-port-list-handler.ts';
import type { BuildId } from '../../controller/model/build-id.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { ledgerHasBuild } from '../../controller/serve/ledger-has-build.ts';
import { RecentFailures } from '../../controller/serve/recent-failures.ts';
import { CheckTallyStore } from '../../controller/store/check-tally-store.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { recordingPublisher } from './dispatched-builder.ts';

/**
 * The controller's path from a watcher's long list to its summary check, wired as
 * start-controller.ts wires it (reorder service, check publishing with its tallies in the state
 * database, the port-list flow, the build-finished flow writing a real ledger, the start-up
 * recording of finishes a crash kept), on `<dir>/state.db` and `<dir>/ledger.ndjson`, so a
 * process can die at a crash point in it and another open it again on the same files.
 */

export const PLATFORM = '15_arm64';
export const SHA = 'c0ffee'.padEnd(40, '0');
/** 60 ports: more than the 50 that get a check each, so the list gets a summary check. */
export const PORTS = Array.from({ length: 60 }, (_, i) => `port-${String(i).padStart(2, '0')}`);
/** Every ninth port fails (port-04, port-13, …), in its install-port phase. */
export const fails = (port: string): boolean => Number(port.slice(5)) % 9 === 4;
const SITE = 'https://farm.example';
const signal = new AbortController().signal;

export interface TallyRig {
  readonly reorder: ReorderService;
  readonly checks: CheckPublishing;
  readonly publisher: ReturnType<typeof recordingPublisher>;
  readonly onPortList: AcceptPortList;
  readonly onFinished: BuildFinished;
  readonly catchUp: CatchUpSweep;
  readonly ledgerPath: string;
  close(): void;
}

export function openTallyRig(dir: string): TallyRig {
  const db = openStore(join(dir, 'state.db'));
  const log = pino({ level: 'silent' });
  const now = (): Date => new Date(Date.UTC(2026, 11, 3, 10, 0));
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db, platforms: [PLATFORM], parallelBuilds: new Map([[PLATFORM, 4]]), gateway, graph: null, idPrefix: 'tly' });
  const publisher = recordingPublisher();
  const checks = new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now, volume: { portChecksPerList: 50, summaryIntervalMs: 0, failureChecksPerCommit: 40_000 }, tallies: new CheckTallyStore(db) });
  const ledgerPath = join(dir, 'ledger.ndjson');
  const record = { ledgerPath, siteBaseUrl: SITE, maintainersOf: () => [], versionOf: () => undefined, mail: null, log };
  const onFinished = createOnBuildFinished({ reorder, notes: new BuildNotes(), checks, stats: emptyStats(), failures: new RecentFailures(), record });
  const onPortList = createOnPortList({ reorder, checks, stats: emptyStats(), distfiles: new DistfileChecksumsStore(), kick: () => undefined, now });
  const catchUp = createCatchUpSweep({
    reorder,
    runners: { leases: () => [], handleWorkflowJob: () => 'ignored', runRecorded: () => [] },
    github: { recoverMissedDeliveries: () => Promise.resolve({ redelivered: [], listed: 0 }), listUnfinishedRuns: () => Promise.resolve([]), listQueuedJobs: () => Promise.resolve([]) },
    ledgerHasBuild: (buildId) => ledgerHasBuild(ledgerPath, buildId),
    onStarted: (buildId, at) => { checks.started(buildId, at); },
    onFinished,
    onLedgered: createOnLedgeredBuild({ reorder, checks, ledgerPath, siteBaseUrl: SITE, log }),
    retryCancels: () => Promise.resolve(),
    log,
    now,
  });
  return { reorder, checks, publisher, onPortList, onFinished, catchUp, ledgerPath, close: () => { db.close(); } };
}

/** A watcher for SHA, dispatched and started: its run may hand over the list. */
export async function startWatcher(rig: TallyRig): Promise<{ readonly buildId: BuildId; readonly runId: number }> {
  const { buildId } = rig.reorder.enqueueWatcher({ platform: PLATFORM, portsRevision: SHA, previousRevision: null, changedPorts: PORTS, force: false, prNumber: null, now: new Date() });
  await rig.reorder.pump(new Date(), signal);
  const runId = rig.reorder.describeBuild(buildId)?.runId;
  if (runId === null || runId === undefined) throw new Error(`the watcher ${buildId} was not dispatched`);
  rig.reorder.runStarted(buildId, new Date());
  return { buildId, runId };
}

/** The watcher's run hands over its list (again, when it retries). */
export async function handOver(rig: TallyRig, watcher: { readonly buildId: BuildId; readonly runId: number }): Promise<void> {
  const outcome = await rig.onPortList({ buildId: watcher.buildId, platform: PLATFORM, portsRevision: SHA, ports: PORTS, excluded: [] }, { runId: String(watcher.runId), runAttempt: '1' } as Parameters<AcceptPortList>[1]);
  if ('reason' in outcome) throw new Error(`the list was refused: ${outcome.reason}`);
}

/** The watcher's run completes, and is recorded. */
export async function finishWatcher(rig: TallyRig, watcher: { readonly buildId: BuildId; readonly runId: number }): Promise<void> {
  if (rig.reorder.runFinished(watcher.buildId, 'success', new Date())) await rig.onFinished(watcher.buildId, 'success', { runId: watcher.runId, at: new Date() });
}

/**
 * Scheduling rounds and the builders' jobs, as the webhooks and the record worker drive them:
 * each builder in flight starts (its check or tally moves), completes (failing ones fail) and
 * is recorded, and the check worker flushes after each. Stops after `builds` builders were
 * recorded, or when nothing is left.
 */
export async function buildPorts(rig: TallyRig, builds = Number.POSITIVE_INFINITY): Promise<number> {
  let done = 0;
  while (done < builds) {
    await rig.reorder.pump(new Date(), signal);
    const next = rig.reorder.inFlight().find((e) => e.port !== null);
    if (next?.port == null) break;
    const at = new Date();
    if (rig.reorder.runStarted(next.buildId, at)) rig.checks.started(next.buildId, at);
    const result = fails(next.port) ? 'failure' : 'success';
    rig.reorder.runFinished(next.buildId, result, at);
    await rig.onFinished(next.buildId, result, { runId: next.runId ?? 0, at }, result === 'failure' ? 'install-port' : null);
    await rig.checks.flush(signal);
    done += 1;
  }
  return done;
}

/** What the ledger says of SHA's builders: built and failed ports, each once. */
export function ledgerTruth(ledgerPath: string): { readonly built: number; readonly failed: readonly string[] } {
  if (!existsSync(ledgerPath)) return { built: 0, failed: [] };
  const text = readFileSync(ledgerPath, 'utf8');
  const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { port?: string; result?: string; revision?: string });
  const builders = lines.filter((l) => l.port !== undefined && l.revision === SHA);
  return { built: builders.filter((l) => l.result === 'success').length, failed: builders.filter((l) => l.result === 'failure').map((l) => l.port ?? '').sort() };
}

/** The summary check's states as published, oldest first. */
export function summaries(rig: TallyRig): CheckRunState[] {
  return rig.publisher.checks.filter((c) => c.externalId === `${PLATFORM} summary`);
}

/** The title a summary of SHA's list shows for these counts. */
export const titleFor = (built: number, failed: number): string => `${String(PORTS.length)} ports on ${PLATFORM}: ${String(built)} of ${String(PORTS.length)} built, ${String(failed)} failed`;
