import { CheckTallyStore } from '../store/check-tally-store.ts';
import { coerceError } from '../errors/coerce-error.ts';
import { Registry } from 'prom-client';
import { BuildNotes } from '../flows/build-notes.ts';
import { createCatchUpSweep } from '../flows/catch-up-sweep.ts';
import { CheckPublishing } from '../flows/check-publishing.ts';
import { createFarmEventFlows } from '../flows/farm-event-flows.ts';
import { createOnBuildFinished } from '../flows/on-build-finished.ts';
import { createOnLedgeredBuild } from '../flows/on-ledgered-build.ts';
import { RecordWorker } from '../flows/record-worker.ts';
import { createOnRunnerTaken } from '../flows/on-runner-taken.ts';
import { NoRunnerCancels } from '../flows/no-runner-cancels.ts';
import { createOnNoRunner } from '../flows/on-no-runner.ts';
import { createOnVmTeardown } from '../flows/on-vm-teardown.ts';
import { githubApiAlerts, githubApiStatus, registerApiBudgetMetrics } from '../github/api-budget-status.ts';
import { CheckPacer } from '../github/check-pacing.ts';
import { CheckPublishWorker } from '../github/check-publish-worker.ts';
import { CheckRunPublisher } from '../github/check-run-publisher.ts';
import { createWebhookHandler } from '../github/create-webhook-handler.ts';
import { EventRejections } from '../github/event-rejections.ts';
import { explainFailedRun } from '../github/explain-failed-run.ts';
import { SqliteDeliveryStore } from '../github/sqlite-delivery-store.ts';
import { createSshHostShell } from '../images/host-shell.ts';
import { FarmEta } from '../eta/farm-eta.ts';
import { ProjectionThread } from '../eta/projection-thread.ts';
import { ReorderService } from '../queue/reorder-service.ts';
import { openStore } from '../store/open-store.ts';
import { catchUpGitHub } from './catch-up-github.ts';
import { connectGitHub } from './connect-github.ts';
import { listenControllerHttp } from './controller-http.ts';
import { emptyStats } from './controller-stats.ts';
import { httpSurfaceOptions } from './http-surface-options.ts';
import { createDiskAdmission } from './create-disk-admission.ts';
import { createImageRollout } from './create-image-rollout.ts';
import { createRunnerManager } from './create-runner-manager.ts';
import { ledgerHasBuild } from './ledger-has-build.ts';
import { RecentFailures } from './recent-failures.ts';
import { recordOptionsFromConfig } from './record-options-from-config.ts';
import { requireSecrets } from './require-secrets.ts';
import { createSchedulingRound } from './scheduling-round.ts';
import { SerialLoop } from './serial-loop.ts';
import { startBuildCache } from './start-build-cache.ts';
import { createTrustBoundary } from './trust-boundary.ts';
import { DistfileChecksumsStore } from '../caches/distfile-checksums-store.ts';
import type { DistfileChecksums } from '../caches/expected-distfile.ts';
import type { RunningController, StartControllerOptions } from './start-controller-options.ts';
import { StatusPublisher } from './status-publisher.ts';
import { startUpkeepTimers } from './upkeep-timers.ts';

/** How long a new list's queued checks wait for a projection holding the list before going out without an estimate. */
const NEW_LIST_ETA_WAIT_MS = 5000;

export type { ControllerStats } from './controller-stats.ts';
export type { RunningController, StartControllerOptions } from './start-controller-options.ts';

/**
 * The composition root of `portfarm serve` (and of the demo): the reorder service, runner
 * manager and GitHub face wired to one SQLite file and one HTTP server (controller-http.ts).
 * Only wiring: what happens when an event arrives is in controller/flows/ (one file per flow).
 */
export async function startController(options: StartControllerOptions): Promise<RunningController> {
  const { config, log } = options;
  const now = options.now ?? (() => new Date());
  const stopping = new AbortController();
  const signal = AbortSignal.any([options.signal, stopping.signal]);
  // Checked before anything is created or asked of GitHub: a bad start changes nothing.
  const { webhookSecret: secret, statusToken } = requireSecrets(config);
  const db = openStore(config.state.path);
  const deliveries = new SqliteDeliveryStore(db);
  // Watchers are dispatched on this branch, and a watcher's token must name it.
  const dispatchBranch = options.ref ?? options.handoff.branch;
  const upkeepMetrics = new Registry();
  // The one counter and log of everything the trust boundary refuses (forged runs, jobs, hand-offs, …): share it, never make a second.
  const rejections = new EventRejections({ registry: upkeepMetrics, log: log.child({ component: 'trust' }) });
  const { clients, gateway, farm: identity } = await connectGitHub(config, { ...options, ref: dispatchBranch, repositoryId: options.handoff.repositoryId, rejections, log }, signal);
  const reorder = new ReorderService({
    db,
    platforms: config.platforms.map((p) => p.name),
    parallelBuilds: new Map(config.platforms.map((p) => [p.name, p.parallelBuilds])),
    gateway,
    graph: options.graph,
    // A preempting cancel GitHub completed: the next round dispatches the watcher on that platform.
    onCancelSettled: () => { loop.kick(); },
  });
  // Projections of a full rebuild take seconds: a worker thread makes them, the loop never waits (docs/eta.md).
  const eta = new FarmEta({
    db, graph: options.graph, platforms: config.platforms.map((p) => p.name), peek: (platform, look) => reorder.peekQueue(platform, look),
    projector: new ProjectionThread(), onProjectorError: (error) => { log.warn({ err: error }, 'ETA projection worker failed; projected in the event loop instead'); },
  });
  const trust = createTrustBoundary(config, { reorder, identity, clients, rejections, log: log.child({ component: 'trust' }) });
  const volume = { portChecksPerList: config.checks.portChecksPerList, summaryIntervalMs: config.checks.summaryIntervalSeconds * 1000, failureChecksPerCommit: config.checks.failureChecksPerCommit };
  // Check runs go out in their own worker and write queue, paced to the budget dispatch leaves them (check-pacing.ts).
  const pacer = new CheckPacer({ budget: clients.budget, clock: clients.clock, ...(options.checkPacing === undefined ? {} : { limits: options.checkPacing }) });
  const publisher = new CheckRunPublisher({ clients, log: log.child({ component: 'checks' }), pace: pacer.pace, batchSize: 20 });
  // A new list's checks wait (in the check worker, at most a few seconds) for a projection that holds the list: they go out with their estimate.
  const projected = { mark: () => eta.queueMark(), since: (platform: string, mark: number, at: number) => eta.projectedSince(platform, mark, at), waitMs: NEW_LIST_ETA_WAIT_MS };
  const etaChecks = { answer: (port: string, platform: string, at: number) => eta.answer(port, platform, at), refreshMs: config.eta.checkRefreshMinutes * 60_000, refreshPerFlush: config.eta.checkRefreshPerRound, projected };
  // The summary tallies and the failure checks per commit are kept in the state database: a restart goes on counting.
  const checks = new CheckPublishing({ publisher, reorder, versionOf: options.ports.versionOf, now, volume, eta: etaChecks, tallies: new CheckTallyStore(db) });
  const checkWorker = new CheckPublishWorker({ flush: (s) => checks.flush(s), pending: () => publisher.pendingCount + checks.awaitingCount, clock: clients.clock, log: log.child({ component: 'checks' }), signal });
  const budgetStatus = { budget: clients.budget, clock: clients.clock, checksPending: () => publisher.pendingCount };
  registerApiBudgetMetrics(upkeepMetrics, budgetStatus);
  const stats = emptyStats();
  const failures = new RecentFailures();
  const notes = new BuildNotes();
  const hostShell = options.hostShell ?? createSshHostShell();
  const releases = options.fetchRunnerReleases === undefined ? {} : { fetchRunnerReleases: options.fetchRunnerReleases };
  const { images, store: imageRegistry } = createImageRollout(config, { hostShell, ...releases, metrics: upkeepMetrics, log: log.child({ component: 'images' }), now });
  const cacheLog = log.child({ component: 'caches' });
  // Checksums master watchers handed over with their lists (or the caller's source, in tests).
  const distfileStore = new DistfileChecksumsStore();
  const distfileChecksums: DistfileChecksums = options.distfileChecksums ?? distfileStore.lookup;
  const cache = await startBuildCache(config.caches, rejections);
  const beforeDestroy =
    cache === null ? null : createOnVmTeardown({ reorder, ...cache, quarantineDays: config.caches.quarantineDays, distfileChecksums, rejections, log: cacheLog, now });
  const noRunnerCancels = new NoRunnerCancels({ gateway, reorder, log });
  const onBuildFailed = createOnNoRunner({ reorder, notes, cancels: noRunnerCancels, log, signal });
  const runners = createRunnerManager(config, { backends: options.backends, overrides: options.runners, clients, reorder, images, beforeDestroy, onBuildFailed, onRunnerTaken: createOnRunnerTaken({ gateway, log, signal }), rejections, log: log.child({ component: 'runners' }) });
  const diskProbe = options.diskProbe === undefined ? {} : { probe: options.diskProbe };
  const disk = createDiskAdmission(config, { runners, hostShell, ...diskProbe, metrics: upkeepMetrics, log: log.child({ component: 'disk' }) });
  const status = new StatusPublisher({ version: options.version, repo: config.github.repo, runners, reorder, failures, alerts: () => [...disk.alerts(), ...images.alerts(), ...githubApiAlerts(budgetStatus)], githubApi: () => githubApiStatus(budgetStatus), now, eta: (platform, buildId, at) => eta.forBuild(platform, buildId, at) });

  const record = recordOptionsFromConfig(config, { ledgerPath: options.ledgerPath, ports: options.ports, mail: options.mail, clients, log, signal, ...(options.logArchiveBackoffMs === undefined ? {} : { logArchiveBackoffMs: options.logArchiveBackoffMs }) });
  // Recording (log archive, ledger, mail) in its own worker: no round, sweep or webhook waits for a log download.
  const recording = new RecordWorker({ record: createOnBuildFinished({ reorder, notes, checks, stats, failures, record, ...(options.logTailOf === undefined ? {} : { logTailOf: options.logTailOf }) }), recorded: () => { loop.kick(); }, log, signal });
  const onFinished = recording.record;
  const onLedgered = createOnLedgeredBuild({ reorder, checks, ledgerPath: options.ledgerPath, siteBaseUrl: record.siteBaseUrl, log });
  const catchUp = createCatchUpSweep({ reorder, runners, github: catchUpGitHub(clients, identity, deliveries, trust.jobGate, log, now), ledgerHasBuild: (buildId) => ledgerHasBuild(options.ledgerPath, buildId), onStarted: (buildId, at) => { checks.started(buildId, at); }, onFinished, onLedgered, retryCancels: (s) => noRunnerCancels.retry(s), log, now });
  // The reorder service is not re-entrant: no round may pump while the start-up reconcile runs
  // (a dispatch in flight would look like an intent GitHub never saw, and be queued twice).
  let startedUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { startedUp = resolve; });
  const loop = new SerialLoop({
    intervalMs: options.loopIntervalMs ?? 15_000,
    signal,
    onError: (error) => { log.warn({ err: error }, 'scheduling round failed; the next round retries'); },
    tick: createSchedulingRound({
      reorder, runners, checks: checkWorker, githubPausedFor: () => Math.max(clients.budget.pausedFor(clients.clock.now()), clients.writes?.dispatchHeldFor(clients.clock.now()) ?? 0), stats, ready, sweep: catchUp.sweep, sweepIntervalMs: options.sweepIntervalMs ?? 300_000, reconcileAndRecord: catchUp.reconcileAndRecord,
      paused: options.paused === true, warmStart: options.warmStart ?? config.runners.warmStart, publish: status.publish, log, now,
    }),
  });
  const kick = (): void => { loop.kick(); };

  // Every run and job event passes the trust boundary first (trust-boundary.ts, docs/security.md).
  const farm = trust.guard(createFarmEventFlows({ reorder, runners, notes, checks, explainFailedRun: (runId, s) => explainFailedRun(clients, runId, s), onFinished, kick, log }));
  const context = { repo: config.github.repo, workflow: config.github.workflow, platforms: config.platforms.map((p) => p.name) };
  const webhook = createWebhookHandler({ secret, store: deliveries, farm, context, rejections, log: log.child({ component: 'webhooks' }), now, registry: upkeepMetrics });
  const http = await listenControllerHttp(httpSurfaceOptions(config, {
    webhook: (req, res) => { webhook.handle(req, res); }, handoff: options.handoff, dispatchBranch, portList: { reorder, checks, stats, distfiles: distfileStore, kick, now },
    statusFeed: status.feed, eta: (port, platform, at) => eta.answerFresh(port, platform, at), etaLast: (port, platform, at) => eta.answer(port, platform, at), etaSnapshot: (at) => eta.snapshot(at), now, statusToken, metrics: Registry.merge([runners.metrics.registry, upkeepMetrics]), rejections, log,
  }));

  // Start: record builds a crash kept from the ledger, reap orphans, finish deliveries received
  // before a crash, settle dispatches in doubt, give waiting jobs their VMs.
  try {
    await catchUp.recordUnrecorded();
    await runners.start();
    webhook.resumeUnprocessed();
    await catchUp.reconcileAndRecord(signal);
    await catchUp.resumeWaitingJobs(signal);
  } finally {
    startedUp();
  }
  const recovered = catchUp.recover(signal);
  // A long port list a stop or crash left half queued: the rest a slice at a time, beside the rounds.
  void reorder.resumePortLists(now(), { signal }).then(kick, (error: unknown) => { if (!signal.aborted) log.error({ err: coerceError(error) }, 'queueing the rest of a half-queued port list failed; a resent list or the next start goes on'); });
  loop.kick();
  log.info({ url: http.url }, 'controller listening');

  const intervals = { diskCheckMs: config.caches.disk.checkSeconds * 1000, runnerCheckMs: config.images.runnerCheckHours * 3_600_000, imageGcMs: config.images.gcIntervalMinutes * 60_000, quarantineSweepMs: 3_600_000, deliveryRetryMs: 15_000 };
  const upkeep = startUpkeepTimers({ disk, images, runners, deliveries: webhook, cacheLayout: cache?.layout ?? null, intervals, publish: status.publish, log, cacheLog, signal, now });
  let closing: Promise<void> | undefined;
  return {
    url: http.url, reorder, runners, images, cacheServer: cache?.server ?? null, clients, stats, rejections, recovered,
    snapshot: status.snapshot,
    runUpkeep: () => upkeep.runOnce(),
    idle: async () => { await webhook.idle(); await loop.idle(); await recording.idle(); await checkWorker.idle(); },
    close: () => {
      closing ??= (async () => {
        await webhook.close();
        stopping.abort(new Error('controller stopping'));
        await loop.stopped;
        await recording.stopped;
        await checkWorker.stopped;
        await upkeep.stop();
        await runners.stop();
        await http.close();
        await eta.close();
        db.close();
        imageRegistry.close();
        await cache?.server.close();
      })();
      return closing;
    },
  };
}
