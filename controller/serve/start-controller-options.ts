import type { Logger } from 'pino';
import type { BackendName, Config } from '../config/config-schema.ts';
import type { CacheServer } from '../caches/cache-server.ts';
import type { HostDiskProbe } from '../caches/disk-admission-service.ts';
import type { ApiClock } from '../github/api-clock.ts';
import type { CheckPacingLimits } from '../github/check-pacing.ts';
import type { GitHubClients } from '../github/create-github-clients.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import type { HandoffSettings } from '../handoff/handoff-settings.ts';
import type { HostShell } from '../images/host-shell.ts';
import type { ImageRolloutService } from '../images/image-rollout-service.ts';
import type { RunnerRelease } from '../images/runner-releases.ts';
import type { MailSettings } from '../mail/build-failure-mail.ts';
import type { SendFailureMail } from '../mail/create-mail-sender.ts';
import type { BuildId } from '../model/build-id.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { ReorderService } from '../queue/reorder-service.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';
import type { RunnerManager, RunnerManagerOptions } from '../runners/runner-manager.ts';
import type { StatusSnapshot } from '../status/status-snapshot.ts';
import type { ControllerStats } from './controller-stats.ts';
import type { PortFacts } from './port-facts.ts';
import type { DistfileChecksums } from '../caches/expected-distfile.ts';

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
  /** The branch dispatched runs start from (default `handoff.branch`); a watcher's token must name it. */
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
  /**
   * The checksums (Portfile `checksums`, dist_subdir) of a port at a ports revision, from a
   * source that ran no port's build code: the only distfiles a master build may add to the
   * mirror. Default: what master watchers handed over with their port lists.
   */
  readonly distfileChecksums?: DistfileChecksums;
  readonly now?: () => Date;
  /** What GitHub's rate-limit waits are measured on (default the wall clock; a benchmark gives the double's compressed GitHub time). */
  readonly apiClock?: ApiClock;
  /** Check publishing's share of GitHub's limits (default check-pacing.ts's DEFAULT_CHECK_PACING: half of each). */
  readonly checkPacing?: CheckPacingLimits;
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
  /** Events the trust boundary refused (`portfarm_events_rejected_total{reason}`). */
  readonly rejections: EventRejections;
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
