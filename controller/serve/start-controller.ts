import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { BackendName, Config } from '../config/config-schema.ts';
import type { CacheLayout } from '../caches/cache-layout.ts';
import { createCacheServer, type CacheServer } from '../caches/cache-server.ts';
import { collectDistfiles } from '../caches/collect-distfiles.ts';
import { createHostDiskProbe } from '../caches/create-host-disk-probe.ts';
import { sweepQuarantine } from '../caches/quarantine-expiry.ts';
import { DiskAdmissionService, type HostDiskProbe } from '../caches/disk-admission-service.ts';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import { CheckRunPublisher, type CheckConclusion } from '../github/check-run-publisher.ts';
import { createGitHubClients, type GitHubClients } from '../github/create-github-clients.ts';
import { createWebhookHandler } from '../github/create-webhook-handler.ts';
import { createOctokitRunGateway } from '../github/octokit-run-gateway.ts';
import { explainFailedRun } from '../github/explain-failed-run.ts';
import { listQueuedJobs, listUnfinishedRuns } from '../github/list-queued-jobs.ts';
import { recoverMissedDeliveries } from '../github/recover-missed-deliveries.ts';
import { SqliteDeliveryStore } from '../github/sqlite-delivery-store.ts';
import { acceptWatcherList } from '../handoff/accept-watcher-list.ts';
import { createPortListHandler } from '../handoff/create-port-list-handler.ts';
import type { HandoffSettings } from '../handoff/handoff-settings.ts';
import { createPortListVerifier } from '../handoff/verify-port-list-request.ts';
import { fetchRunnerReleases } from '../images/fetch-runner-releases.ts';
import { createLocalHostShell, createSshHostShell, type HostShell } from '../images/host-shell.ts';
import { imageStatePaths } from '../images/image-paths.ts';
import { openImageRegistryStore } from '../images/image-registry-store.ts';
import { ImageRolloutService } from '../images/image-rollout-service.ts';
import type { RunnerRelease } from '../images/runner-releases.ts';
import type { MailSettings } from '../mail/build-failure-mail.ts';
import type { SendFailureMail } from '../mail/create-mail-sender.ts';
import { isPullRequestBuildId, type BuildId } from '../model/build-id.ts';
import type { BuildKind, BuildResult } from '../model/build-kind.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { ReorderService } from '../queue/reorder-service.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';
import { GithubRunnerRegistry } from '../runners/github-runner-registry.ts';
import { RunnerManager, type RunnerManagerOptions } from '../runners/runner-manager.ts';
import { SettableStatusFeed } from '../status/settable-status-feed.ts';
import { createStatusRequestHandler } from '../status/status-request-handler.ts';
import type { FailureStatus, StatusSnapshot } from '../status/status-snapshot.ts';
import { openStore } from '../store/open-store.ts';
import { createControllerEvents } from './controller-events.ts';
import { BodyTooLargeError, readBody } from '../http/read-body.ts';
import { createRouter } from './http-routes.ts';
import type { PortFacts } from './port-facts.ts';
import { fetchJobLog } from '../logs/fetch-job-log.ts';
import { ledgerHasBuild } from './ledger-has-build.ts';
import { recordFinishedBuild } from './record-finished-build.ts';
import { runnerOptionsFromConfig } from './runner-options-from-config.ts';
import { SerialLoop } from './serial-loop.ts';

export interface StartControllerOptions {
  readonly config: Config;
  readonly version: string;
  readonly log: Logger;
  /** The App's private key (PEM). */
  readonly privateKey: string;
  readonly backends: Readonly<Partial<Record<BackendName, VmBackend>>>;
  readonly graph: PortsGraph | null;
  readonly ports: PortFacts;
  readonly handoff: HandoffSettings;
  /** The build ledger the site is built from (NDJSON). */
  readonly ledgerPath: string;
  readonly mail: { readonly send: SendFailureMail; readonly settings: MailSettings } | null;
  readonly signal: AbortSignal;
  readonly installationId?: number;
  /** GitHub's advice is 1 s between writes; the demo against the double sets 0. */
  readonly writeSpacingMs?: number;
  /** The branch dispatched runs start from. */
  readonly ref?: string;
  readonly runners?: Partial<Pick<RunnerManagerOptions, 'deadlines' | 'retry' | 'runnerCommand' | 'watchdogIntervalMs' | 'reconcileIntervalMs'>>;
  /** Scheduling rounds also run this often without an event (reconcile, warm starts). */
  readonly loopIntervalMs?: number;
  /** Clone and boot the next build's VM while the current one runs (default: config runners.warmStart). */
  readonly warmStart?: boolean;
  /** Wait before the first retry of a job-log download (default 2 s, doubling); tests set it low. */
  readonly logArchiveBackoffMs?: number;
  /** The end of a failed build's log for its mail (the archived copy); empty when unknown. */
  readonly logTailOf?: (buildId: BuildId, phase: string | null) => Promise<string>;
  /** Runs commands on VM hosts (image GC, disk checks); default ssh to each host's address. */
  readonly hostShell?: HostShell;
  /** The published actions/runner releases; default GitHub's list at `images.runnerReleasesUrl`. */
  readonly fetchRunnerReleases?: (signal: AbortSignal) => Promise<readonly RunnerRelease[]>;
  /** Measures a host's disk for admission; default over `hostShell` for tart and libvirt hosts (others are not measured). */
  readonly diskProbe?: HostDiskProbe;
  /**
   * How often the controller also asks GitHub what it may have missed: failed webhook
   * deliveries are redelivered, runs in flight reconciled, jobs still waiting for a runner
   * given one (default 5 min; 0: only at start).
   */
  readonly sweepIntervalMs?: number;
  /** How often a cancel looks whether the run stopped (default 2 s). */
  readonly cancelPollMs?: number;
  /** Dispatch nothing new (drain, maintenance): webhooks, run states, checks and reconcile go on. */
  readonly paused?: boolean;
  readonly now?: () => Date;
}

/** Counters a summary (the demo's, an operator's) is made of. */
export interface ControllerStats {
  watchersQueued: number;
  watchersCoalesced: number;
  buildersQueued: number;
  /** Pending builders replaced by a newer revision of the same port. */
  supersededDropped: number;
  preemptions: number;
  finished: number;
  failures: number;
  mailsSent: number;
  dispatchErrors: number;
}

export interface RunningController {
  readonly url: string;
  readonly reorder: ReorderService;
  readonly runners: RunnerManager;
  /** Image choice per VM, runner-age check, image GC (the timers run them; tests call them too). */
  readonly images: ImageRolloutService;
  /** The build cache's HTTP face (mirror reads, distfile uploads), when `caches.server` is configured. */
  readonly cacheServer: CacheServer | null;
  readonly clients: GitHubClients;
  readonly stats: Readonly<ControllerStats>;
  /** Settles when the start-up recovery of missed webhook deliveries has run (whatever its outcome). */
  readonly recovered: Promise<void>;
  snapshot(): StatusSnapshot;
  /** One pass of the background upkeep (disk admission, runner-age check, image GC), then a new snapshot; the timers run the same. */
  runUpkeep(): Promise<void>;
  /** Resolves when no webhook work and no scheduling round is pending. */
  idle(): Promise<void>;
  /** Graceful stop; the same promise when called twice. */
  close(): Promise<void>;
}

/**
 * The composition root of `portfarm serve` (and of the demo): the reorder service, runner
 * manager and GitHub face wired to one SQLite file and one HTTP server:
 * `POST /webhooks`, `POST /api/port-list`, `GET /api/status`, `GET /api/events`, `GET /metrics`.
 */
export async function startController(options: StartControllerOptions): Promise<RunningController> {
  const { config, log } = options;
  const now = options.now ?? (() => new Date());
  const stopping = new AbortController();
  const signal = AbortSignal.any([options.signal, stopping.signal]);
  // Checked before anything is created or asked of GitHub: a bad start changes nothing.
  const secret = requireSecret(config);
  const db = openStore(config.state.path);
  const deliveries = new SqliteDeliveryStore(db);
  const [owner = '', repo = ''] = config.github.repo.split('/');
  const clients = await createGitHubClients(
    {
      appId: config.github.appId,
      privateKey: options.privateKey,
      apiUrl: config.github.apiUrl,
      owner,
      repo,
      ...(options.installationId === undefined ? {} : { installationId: options.installationId }),
      ...(options.writeSpacingMs === undefined ? {} : { writeSpacingMs: options.writeSpacingMs }),
      log: log.child({ component: 'github' }),
    },
    signal,
  );
  const gateway = createOctokitRunGateway({
    clients,
    workflow: config.github.workflow,
    ref: options.ref ?? 'master',
    log: log.child({ component: 'gateway' }),
    ...(options.cancelPollMs === undefined ? {} : { cancelPollMs: options.cancelPollMs }),
  });
  const reorder = new ReorderService({ db, platforms: config.platforms.map((p) => p.name), gateway, graph: options.graph });
  const checks = new CheckRunPublisher({ clients, log: log.child({ component: 'checks' }) });
  const stats: ControllerStats = {
    watchersQueued: 0,
    watchersCoalesced: 0,
    buildersQueued: 0,
    supersededDropped: 0,
    preemptions: 0,
    finished: 0,
    failures: 0,
    mailsSent: 0,
    dispatchErrors: 0,
  };
  const failures: FailureStatus[] = [];
  const startedAt = new Map<BuildId, Date>();
  const failedPhases = new Map<BuildId, string>();
  /** Builds whose job failed with no failed step (the runner was lost with its VM or host), or that never got a runner. */
  const lostRunners = new Set<BuildId>();
  const feed = new SettableStatusFeed(emptySnapshot(options.version, config.github.repo, now()));

  // Image versions: the registry `portfarm image …` writes, read on every clone.
  const imageRegistry = openImageRegistryStore(imageStatePaths(process.cwd(), config.state.path, config.images.registryPath).registry);
  const upkeepMetrics = new Registry();
  const hostShell = options.hostShell ?? createSshHostShell();
  const images = new ImageRolloutService({
    store: imageRegistry,
    platforms: config.platforms,
    images: config.images,
    hostShell,
    imagesDir: join(dirname(config.state.path), 'images'),
    libvirtUri: 'qemu:///system',
    fetchReleases: options.fetchRunnerReleases ?? ((s) => fetchRunnerReleases(config.images.runnerReleasesUrl, s)),
    metrics: upkeepMetrics,
    log: log.child({ component: 'images' }),
    now,
  });

  // The build cache: mirror reads and distfile collection, only when the config names its folder and address.
  const cacheLayout: CacheLayout | null =
    config.caches.server === undefined || config.caches.mirrorDir === undefined ? null : { mirrorRoot: config.caches.mirrorDir, quarantineRoot: config.caches.quarantineDir };
  const cacheServer =
    cacheLayout === null || config.caches.server === undefined
      ? null
      : await createCacheServer({ layout: cacheLayout, host: config.caches.server.host, port: config.caches.server.port }).catch((error: unknown) => {
          throw new UserError(`cannot start the cache server on ${config.caches.server?.host ?? ''}:${config.caches.server?.port ?? ''} (caches.server): ${coerceError(error).message}`, { cause: error });
        });
  const cacheLog = log.child({ component: 'caches' });

  const runners = new RunnerManager({
    platforms: config.platforms,
    backends: options.backends,
    registry: new GithubRunnerRegistry({ octokit: clients.installation, repo: config.github.repo }),
    logger: log.child({ component: 'runners' }),
    // The config's runners: section, unless the caller (the demo, a test) overrides a value.
    ...runnerOptionsFromConfig(config.runners),
    ...options.runners,
    portOf: (buildId) => reorder.describeBuild(buildId)?.port ?? null,
    // Each new VM: the platform's pinned/current image, or the canary for its share (stable per build id).
    imageFor: (platform, buildId) => images.imageFor(platform, buildId),
    // After a job: its fetched distfiles go to the mirror (successful master builder) or the build's quarantine (PR), else nowhere.
    ...(cacheServer === null || cacheLayout === null
      ? {}
      : {
          beforeDestroy: async (vm, s) => {
            const entry = reorder.describeBuild(vm.buildId);
            // A build the queue does not know is never trusted with the mirror; PR builds are not queued but are known by their id.
            const kind: BuildKind | null = entry?.kind ?? (isPullRequestBuildId(vm.buildId) ? (vm.buildId.endsWith('-list') ? 'pr-watcher' : 'pr-builder') : null);
            if (kind === null) {
              cacheLog.info({ buildId: vm.buildId, vmId: vm.vmId }, 'distfiles not collected: the build is not in the queue');
              return;
            }
            const result: BuildResult = vm.conclusion === 'success' ? 'success' : vm.conclusion === 'cancelled' ? 'cancelled' : 'failure';
            const plan = await collectDistfiles(
              { vmId: vm.vmId, buildId: vm.buildId, kind, result },
              { backend: vm.backend, server: cacheServer, layout: cacheLayout, now, quarantineDays: config.caches.quarantineDays },
              s,
            );
            const files = plan.destination === 'none' ? 0 : plan.files.length;
            cacheLog.info({ buildId: vm.buildId, vmId: vm.vmId, destination: plan.destination, files, rejected: plan.rejected.length, reason: plan.reason }, 'distfiles collected');
          },
        }),
    onBuildFailed: (failure) => {
      // No runner could be had: say so on the check, then cancel the run so the queue moves on.
      const entry = reorder.describeBuild(failure.buildId);
      log.error({ buildId: failure.buildId, reason: failure.reason, attempts: failure.attempts }, 'no runner for this build; cancelling its run');
      // A phase name, not the reason: it ends up in URLs (the reason is in the log line above).
      failedPhases.set(failure.buildId, 'runner');
      // The farm's failure, not the port's: the cancelled run's build is queued again (up to MAX_LOST_RETRIES).
      lostRunners.add(failure.buildId);
      if (entry?.runId !== null && entry?.runId !== undefined) {
        gateway.cancel(entry.runId, signal).catch((error: unknown) => {
          log.warn({ buildId: failure.buildId, err: coerceError(error) }, 'cancel after runner failure failed; reconcile retries');
        });
      }
    },
  });

  // Disk admission per host: a host short of disk takes no new VM until space comes back.
  const hostRefs = [...new Map(config.platforms.flatMap((p) => p.hosts.map((h) => [h.name, { name: h.name, address: h.address }] as const))).values()];
  const disk = new DiskAdmissionService({
    hosts: hostRefs,
    probe:
      options.diskProbe ??
      createHostDiskProbe(hostShell, createLocalHostShell(), {
        backendsOf: (host) => config.platforms.filter((p) => p.hosts.some((h) => h.name === host)).map((p) => p.backend),
        libvirtPoolDir: join(dirname(config.state.path), 'vms'),
        libvirtImagesDir: join(dirname(config.state.path), 'images'),
      }),
    policy: { vmBudgetGiB: config.caches.disk.vmBudgetGiB, reserveGiB: config.caches.disk.reserveGiB },
    admit: (host, update) => { runners.setHostAdmission(host, update); },
    vmsOn: (host) => runners.hostsStatus().find((h) => h.name === host)?.slots.flatMap((s) => (s.vmId === null ? [] : [s.vmId])) ?? [],
    metrics: upkeepMetrics,
    log: log.child({ component: 'disk' }),
  });

  const publish = (): void => {
    feed.publish(buildSnapshot());
  };
  const buildSnapshot = (): StatusSnapshot => ({
    generatedAt: now().toISOString(),
    controller: { version: options.version, startedAt: controllerStartedAt.toISOString(), repo: config.github.repo },
    hosts: runners.hostsStatus(),
    runners: runners.runnersStatus(),
    queues: reorder.queueStatus(now()),
    failures: failures.slice(-50).reverse(),
    alerts: [...disk.alerts(), ...images.alerts()],
  });
  const controllerStartedAt = now();

  const sweepIntervalMs = options.sweepIntervalMs ?? 300_000;
  let lastSweep = Date.now();
  // The reorder service is not re-entrant: no round may pump while the start-up reconcile runs
  // (a dispatch in flight would look like an intent GitHub never saw, and be queued twice).
  let startedUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { startedUp = resolve; });
  const loop = new SerialLoop({
    intervalMs: options.loopIntervalMs ?? 15_000,
    signal,
    onError: (error) => { log.warn({ err: error }, 'scheduling round failed; the next round retries'); },
    tick: async (s) => {
      await Promise.race([ready, new Promise<void>((resolve) => { s.addEventListener('abort', () => { resolve(); }, { once: true }); })]);
      s.throwIfAborted();
      if (sweepIntervalMs > 0 && Date.now() - lastSweep >= sweepIntervalMs) {
        lastSweep = Date.now();
        await catchUp(s);
      }
      if (options.paused !== true) {
        const report = await reorder.pump(now(), s);
        stats.preemptions += report.preempted.length;
        stats.dispatchErrors += report.errors.length;
        for (const failed of report.errors) log.error({ buildId: failed.buildId, err: failed.error }, failed.error.message);
        if (report.errors.length > 0) await reconcileAndRecord(s);
      }
      if ((options.warmStart ?? config.runners.warmStart) && options.paused !== true) {
        for (const queue of reorder.queueStatus(now())) {
          const next = queue.next[0];
          if (next !== undefined && next.state === 'pending') runners.warmStart(queue.platform, next.buildId);
        }
      }
      await checks.flush(s);
      publish();
    },
  });
  const kick = (): void => { loop.kick(); };

  const checkFor = (buildId: BuildId, status: 'in_progress' | 'completed', conclusion?: CheckConclusion, extra: { failingPhase?: string; detailsUrl?: string } = {}): void => {
    const entry = reorder.describeBuild(buildId);
    if (entry?.port === null || entry === undefined) return;
    const version = options.ports.versionOf(entry.port);
    const started = startedAt.get(buildId);
    checks.update({
      headSha: entry.portsRevision,
      port: entry.port,
      platform: entry.platform,
      status,
      ...(conclusion === undefined ? {} : { conclusion }),
      ...(version === undefined ? {} : { version }),
      ...(started === undefined || status !== 'completed' ? {} : { durationMs: now().getTime() - started.getTime() }),
      ...extra,
      at: now(),
    });
  };

  // A finished build, from its webhook or found by reconcile: ledger, failure mail, check.
  const recordFinished = async (buildId: BuildId, result: BuildResult, event: { readonly runId: number; readonly at: Date }): Promise<void> => {
    const entry = reorder.describeBuild(buildId);
    if (entry === undefined) {
      reorder.recorded(buildId);
      return;
    }
    stats.finished += 1;
    const runnerLost = lostRunners.delete(buildId);
    const failedPhase = runnerLost ? (failedPhases.get(buildId) === 'runner' ? 'runner' : 'runner-lost') : (failedPhases.get(buildId) ?? null);
    failedPhases.delete(buildId);
    const logTail = result === 'failure' && options.logTailOf !== undefined ? await options.logTailOf(buildId, failedPhase).catch(() => '') : '';
    const recorded = await recordFinishedBuild(entry, result, { runId: event.runId, at: event.at, failedPhase, logTail, infrastructure: runnerLost }, {
      ledgerPath: options.ledgerPath,
      siteBaseUrl: config.site.baseUrl,
      maintainersOf: options.ports.maintainersOf,
      versionOf: options.ports.versionOf,
      mail: options.mail,
      log,
      ...(config.site.logArchiveDir === undefined
        ? {}
        : {
            archive: {
              dir: resolve(config.site.logArchiveDir),
              url: config.site.logArchiveUrl ?? `${config.site.baseUrl.replace(/\/+$/, '')}/logs`,
              fetchLog: (runId: number, s: AbortSignal) => fetchJobLog(clients.installation, { owner: clients.owner, repo: clients.repo }, runId, s),
              signal,
              ...(options.logArchiveBackoffMs === undefined ? {} : { backoffMs: options.logArchiveBackoffMs }),
            },
          }),
    });
    if (recorded.failure !== null) {
      stats.failures += 1;
      failures.push(recorded.failure);
      if (failures.length > 200) failures.splice(0, failures.length - 200);
    }
    if (recorded.mailed) stats.mailsSent += 1;
    const detailsUrl = `${config.site.baseUrl.replace(/\/+$/, '')}/builders/${recorded.ledger.builder}/builds/${recorded.ledger.number}`;
    const conclusion: CheckConclusion = result === 'success' ? 'success' : result === 'failure' ? 'failure' : 'cancelled';
    checkFor(buildId, 'completed', conclusion, { detailsUrl, ...(failedPhase === null ? {} : { failingPhase: failedPhase }) });
    startedAt.delete(buildId);
    reorder.recorded(buildId);
  };
  // Finishes committed before a crash whose ledger line was not written: record them now (once).
  const recordUnrecorded = async (): Promise<void> => {
    for (const note of reorder.unrecorded()) {
      if (await ledgerHasBuild(options.ledgerPath, note.buildId)) reorder.recorded(note.buildId);
      else {
        log.warn({ buildId: note.buildId, result: note.result }, 'build finished before a crash but not in the ledger; recording it now');
        await recordFinished(note.buildId, note.result, { runId: note.runId, at: note.at });
      }
    }
  };
  const reconcileAndRecord = async (s: AbortSignal): Promise<void> => {
    const report = await reorder.reconcile(now(), s);
    for (const finished of report.finished) await recordFinished(finished.buildId, finished.result, { runId: finished.runId, at: now() });
  };
  // A job whose `queued` delivery was handled before a crash lost its VM with the process, and
  // GitHub sends no second `queued`: ask for the jobs of each dispatched run that has no VM.
  // Runs portfarm did not dispatch (PR builds on their own pull_request trigger) wait the same
  // way, so the unfinished runs of the repository are asked too; jobs without portfarm's label
  // are ignored by the runner manager.
  const resumeWaitingJobs = async (s: AbortSignal): Promise<void> => {
    const leased = new Set(runners.leases().map((l) => l.buildId));
    const waiting = new Set<number>();
    const known = new Set<number>();
    for (const entry of reorder.inFlight()) {
      if (entry.runId !== null) known.add(entry.runId);
      if (entry.state === 'dispatched' && entry.runId !== null && !leased.has(entry.buildId)) waiting.add(entry.runId);
    }
    for (const runId of await listUnfinishedRuns(clients, s)) if (!known.has(runId)) waiting.add(runId);
    for (const runId of waiting) {
      for (const job of await listQueuedJobs(clients, runId, s)) {
        if (runners.handleWorkflowJob(job) === 'started') log.info({ runId, jobId: job.jobId, labels: job.labels }, 'job still queued on GitHub without a VM; starting one');
      }
    }
  };
  const recover = (s: AbortSignal): Promise<void> =>
    recoverMissedDeliveries({ app: clients.app, store: deliveries, log: log.child({ component: 'recovery' }), now }, s).then(
      (result) => { log.info({ redelivered: result.redelivered.length, listed: result.listed }, 'missed deliveries asked again'); },
      (error: unknown) => { log.warn({ err: coerceError(error) }, 'missed-delivery recovery failed; state is reconciled from GitHub instead'); },
    );
  // What a webhook lost while the controller listened would have said, asked of GitHub.
  const catchUp = async (s: AbortSignal): Promise<void> => {
    await recover(s);
    await reconcileAndRecord(s).catch((error: unknown) => { log.warn({ err: coerceError(error) }, 'reconcile failed; the next sweep retries'); });
    await resumeWaitingJobs(s).catch((error: unknown) => { log.warn({ err: coerceError(error) }, 'looking for jobs without a VM failed; the next sweep retries'); });
  };

  const events = createControllerEvents({
    reorder,
    runners,
    kick,
    log,
    onStarted: (buildId, at) => {
      startedAt.set(buildId, at);
      checkFor(buildId, 'in_progress');
    },
    onFinished: recordFinished,
    runnerLost: (buildId) => lostRunners.has(buildId),
  });
  // The first failed step of a builder's job names the failing phase (for the check and the mail).
  const observedEvents = {
    ...events,
    onWorkflowJob: async (event: Parameters<typeof events.onWorkflowJob>[0], s: AbortSignal) => {
      if (event.action === 'completed' && event.buildId !== null && event.failedStep !== null) failedPhases.set(event.buildId, event.failedStep);
      await events.onWorkflowJob(event, s);
    },
    // A failed run whose job event did not say how (lost, or still to come): ask GitHub, so a lost
    // runner is rebuilt rather than mailed to the port's maintainers as the port's failure.
    onWorkflowRun: async (event: Parameters<typeof events.onWorkflowRun>[0], s: AbortSignal) => {
      const buildId = event.buildId;
      if (event.action === 'completed' && buildId !== null && event.conclusion === 'failure' && !failedPhases.has(buildId) && reorder.describeBuild(buildId)?.state !== 'finished') {
        const cause = await explainFailedRun(clients, event.runId, s);
        if (cause.kind === 'step') failedPhases.set(buildId, cause.phase);
        if (cause.kind === 'runner-lost') {
          lostRunners.add(buildId);
          log.warn({ buildId, runId: event.runId }, 'the run failed because its runner was lost (host or VM gone); the build is queued again, nobody is mailed');
        }
      }
      await events.onWorkflowRun(event, s);
    },
  };

  const webhook = createWebhookHandler({
    secret,
    store: deliveries,
    farm: observedEvents,
    context: { repo: config.github.repo, workflow: config.github.workflow, platforms: config.platforms.map((p) => p.name) },
    log: log.child({ component: 'webhooks' }),
    now,
  });

  const verify = createPortListVerifier(options.handoff);
  const handoff = createPortListHandler(verify, (list, watcher) => {
    const outcome = acceptWatcherList(reorder, list, watcher, now());
    if ('reason' in outcome) {
      log.warn({ buildId: list.buildId, runId: watcher.runId, reason: outcome.reason }, 'port list refused');
      return Promise.resolve(outcome);
    }
    stats.buildersQueued += outcome.added.length;
    stats.supersededDropped += outcome.coalesced.length;
    for (const port of list.ports) {
      checks.update({ headSha: list.portsRevision, port, platform: list.platform, status: 'queued', at: now() });
    }
    kick();
    return Promise.resolve(outcome);
  });

  const metrics = Registry.merge([runners.metrics.registry, upkeepMetrics]);
  const statusHandler = createStatusRequestHandler(feed, { onError: (error) => { log.warn({ err: error }, 'status stream failed'); } });
  const router = createRouter(
    {
      'POST /webhooks': (req, res) => { webhook.handle(req, res); },
      'POST /api/port-list': async (req, res) => {
        let body: string;
        try {
          body = await readBody(req, 5_000_000);
        } catch (caught) {
          if (!(caught instanceof BodyTooLargeError)) throw caught;
          res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${caught.message}; a port list is a few KB`, retryable: false }));
          return;
        }
        const answer = await handoff({ headers: req.headers, body });
        res.writeHead(answer.status, answer.headers).end(answer.body);
      },
      'GET /api/status': (req, res) => { statusHandler(req, res); },
      'GET /api/events': (req, res) => { statusHandler(req, res); },
      'GET /metrics': async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
      },
      'GET /healthz': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'); },
    },
    (error, route) => { log.error({ err: error, route }, 'request failed'); },
  );
  const server = createServer((req, res) => void router(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => { reject(new UserError(`cannot listen on ${config.controller.host}:${config.controller.port}: ${error.message}`, { cause: error })); });
    server.listen(config.controller.port, config.controller.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;

  // Start: record builds a crash kept from the ledger, reap orphans, finish deliveries received
  // before a crash, settle dispatches in doubt.
  try {
    await recordUnrecorded();
    await runners.start();
    webhook.resumeUnprocessed();
    await reconcileAndRecord(signal);
    await resumeWaitingJobs(signal).catch((error: unknown) => { log.warn({ err: coerceError(error) }, 'looking for jobs without a VM failed; the next sweep retries'); });
  } finally {
    startedUp();
  }
  const recovered = recover(signal);

  loop.kick();
  log.info({ url }, 'controller listening');

  // Image upkeep in the background: runner age now and every runnerCheckHours, GC every gcIntervalMinutes.
  const upkeep: NodeJS.Timeout[] = [];
  const upkeepRunning = new Set<Promise<void>>();
  const track = (work: () => Promise<unknown>): void => {
    if (signal.aborted) return;
    const running = work().then(publish, (error: unknown) => { log.warn({ err: coerceError(error) }, 'image upkeep failed; the next pass retries'); });
    upkeepRunning.add(running);
    void running.finally(() => upkeepRunning.delete(running));
  };
  const checkRunnerAge = (): void => { track(() => images.checkRunnerAge(signal)); };
  const collectImages = (): void => { track(() => images.collectGarbage(runners.vmImages(), signal)); };
  const checkDisks = (): void => { track(() => disk.check(signal)); };
  const sweep = (): void => {
    if (cacheLayout === null) return;
    track(() => {
      const removed = sweepQuarantine(cacheLayout, now());
      if (removed.length > 0) cacheLog.info({ builds: removed }, 'expired quarantine folders deleted');
      return Promise.resolve(removed);
    });
  };
  checkDisks();
  checkRunnerAge();
  upkeep.push(
    setInterval(checkDisks, config.caches.disk.checkSeconds * 1000),
    setInterval(checkRunnerAge, config.images.runnerCheckHours * 3_600_000),
    setInterval(collectImages, config.images.gcIntervalMinutes * 60_000),
    setInterval(sweep, 3_600_000),
  );
  for (const timer of upkeep) timer.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    reorder,
    runners,
    images,
    cacheServer,
    clients,
    stats,
    recovered,
    snapshot: buildSnapshot,
    runUpkeep: async () => {
      if (cacheLayout !== null) sweepQuarantine(cacheLayout, now());
      await disk.check(signal);
      await images.checkRunnerAge(signal);
      await images.collectGarbage(runners.vmImages(), signal);
      publish();
    },
    idle: async () => {
      await webhook.idle();
      await loop.idle();
    },
    close: () => {
      closing ??= (async () => {
        await webhook.close();
        stopping.abort(new Error('controller stopping'));
        await loop.stopped;
        for (const timer of upkeep) clearInterval(timer);
        await Promise.allSettled(upkeepRunning);
        await runners.stop();
        await new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); });
        db.close();
        imageRegistry.close();
        await cacheServer?.close();
      })();
      return closing;
    },
  };
}

function requireSecret(config: Config): string {
  const secret = config.github.webhookSecret;
  if (secret === undefined) {
    throw new UserError(`no webhook secret: set the environment variable ${config.github.webhookSecretEnv} to the App's webhook secret (GitHub App settings → Webhook)`);
  }
  return secret;
}


function emptySnapshot(version: string, repo: string, at: Date): StatusSnapshot {
  return { generatedAt: at.toISOString(), controller: { version, startedAt: at.toISOString(), repo }, hosts: [], runners: [], queues: [], failures: [], alerts: [] };
}
