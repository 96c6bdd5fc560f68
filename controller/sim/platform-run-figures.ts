import type { EtaErrors } from './eta-accuracy.ts';

/** What one platform's replay measures; `simulate` sums them over the platforms. */
export interface PlatformRunFigures {
  builds: number;
  supersededBuilds: number;
  wastedMs: number;
  latencies: number[];
  watcherWaits: number[];
  maxPending: number;
  pendingErrorSum: number;
  pendingSamples: number;
  concurrencyViolations: number;
  schedulerMs: number;
  /** The ETA's errors (portfarm policy only: the others have no ETA). */
  eta: { readonly list: EtaErrors; readonly dispatch: EtaErrors } | null;
  /** Builds dispatched while a port of their dependency closure (ranked below) was pending or in flight. */
  dependencyViolations: number;
  /** Builds that failed on their own (the failure model). */
  failures: number;
  /** Builds of dependents of a failed port that ran and failed (retrying the dependency without a failcache). */
  doomedBuilds: number;
  doomedMs: number;
  /** Builds held as blocked by a failed dependency at some point (no VM, no mail). */
  blockedBuilds: number;
  /** One per failed build: its maintainers are mailed. */
  mailsSent: number;
  /** Mails about a port that did nothing wrong (doomed builds). */
  innocentMails: number;
  /** Forced rebuild start → its last build finished (of those no failed dependency held); null without a rebuild. */
  makespanMs: number | null;
  /** Duration of the rebuild's builds performed (no failed dependency held), summed. */
  rebuildWorkMs: number;
  /** The longest dependency chain of the rebuild's builds performed, by duration. */
  rebuildChainMs: number;
}

/** The figures before the first event: nothing counted, no ETA, no rebuild. */
export function emptyPlatformRunFigures(): PlatformRunFigures {
  return {
    builds: 0, supersededBuilds: 0, wastedMs: 0, latencies: [], watcherWaits: [], maxPending: 0,
    pendingErrorSum: 0, pendingSamples: 0, concurrencyViolations: 0, schedulerMs: 0, eta: null,
    dependencyViolations: 0, failures: 0, doomedBuilds: 0, doomedMs: 0, blockedBuilds: 0, mailsSent: 0, innocentMails: 0,
    makespanMs: null, rebuildWorkMs: 0, rebuildChainMs: 0,
  };
}
