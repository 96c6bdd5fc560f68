import { expandSubports } from '../ports/expand-subports.ts';
import { closureOf } from '../queue/core/closure-cache.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { countPending } from '../queue/core/count-pending.ts';
import { enqueueBuilders } from '../queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../queue/core/enqueue-watcher.ts';
import { markDispatching } from '../queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../queue/core/mark-run.ts';
import { createPlatformQueue } from '../queue/core/platform-queue.ts';
import { heapSize } from '../queue/core/entry-heap.ts';
import { findPreemptable, requeuePreempted } from '../queue/core/preempt-builder.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';
import { POLICIES, type PolicyName } from '../queue/core/queue-policy.ts';
import { selectNext } from '../queue/core/select-next.ts';
import type { DurationModel } from './duration-model.ts';
import { EtaAccuracy } from './eta-accuracy.ts';
import type { FailureModel } from './failure-model.ts';
import type { SimCommit } from './load-commits.ts';
import { emptyPlatformRunFigures, type PlatformRunFigures } from './platform-run-figures.ts';
import { longestChain } from './longest-chain.ts';
import { seededRandom } from './seeded-random.ts';

const MINUTE = 60_000;
/** workflow_dispatch → VM cloned → JIT runner online → job started: the window in which a builder can be preempted. */
const DISPATCH_TO_START = 1 * MINUTE;
/** buildbot's treeStableTimer: pushes this close together become one watcher request. */
const TREE_STABLE = 5_000;
const MEAN_DAYS_BETWEEN_RESTARTS = 21;
/** A builder whose version is already built: VM start plus mpbb finding the archive deployed. */
const DUPLICATE_BUILD = 3 * MINUTE;

export interface PlatformRunInput {
  readonly graph: PortsGraph;
  readonly commits: readonly SimCommit[];
  readonly policy: PolicyName;
  /** Measure the ETA (portfarm only; default true). Each list accepted projects the whole queue: at a 40,000-port rebuild that is seconds per list. */
  readonly measureEta?: boolean | undefined;
  /** Builds the ETA learns from before it is scored (DEFAULT_WARM_UP_BUILDS). */
  readonly etaWarmUpBuilds?: number | undefined;
  readonly fullRebuildAt: number | null;
  readonly durations: DurationModel;
  /** Builds in flight at once on the platform (`--parallel`). */
  readonly parallel: number;
  readonly failures: FailureModel;
  /** Seed of the restart schedule (the same for every policy, so they face the same outages). */
  readonly seed: number;
  readonly clock: () => number;
  readonly signal?: AbortSignal | undefined;
  readonly onCommit?: ((done: number) => void) | undefined;
}

interface Running {
  readonly entry: QueueEntry;
  startAt: number;
  endAt: number;
  started: boolean;
  /** Builders: the Portfile version (index of the newest commit that changed it) the build sees. */
  version: number;
  superseded: boolean;
  /** It fails on its own (the failure model) or is doomed (a dependency is broken). */
  fails: boolean;
  doomed: boolean;
}

/**
 * Replays the commits through one platform's queue with the core the controller runs. Only
 * the world around the queue is modelled here: commit arrivals, run durations, the shared
 * ports tree of buildbot, master restarts, and which versions are built.
 */
export function simulatePlatform(input: PlatformRunInput): PlatformRunFigures {
  const { graph, commits, policy, durations, clock } = input;
  const queue = createPlatformQueue('sim', POLICIES[policy], graph, input.parallel);
  let ids = 0;
  const ctx = { now: 0, newBuildId: (): string => `s${(++ids).toString(36)}` };
  const figures = emptyPlatformRunFigures();
  const eta = policy === 'portfarm' && input.measureEta !== false ? new EtaAccuracy(graph, input.etaWarmUpBuilds) : null;
  if (eta !== null) figures.eta = { list: eta.list, dispatch: eta.dispatch };
  const timed = <T>(work: () => T): T => {
    const start = clock();
    const result = work();
    figures.schedulerMs += clock() - start;
    return result;
  };

  // Which commits changed each Portfile (subports share their main port's Portfile).
  const owner = new Map<string, string>();
  graph.subports.forEach((subs, main) => {
    for (const sub of subs) owner.set((graph.names[sub] ?? '').toLowerCase(), (graph.names[main] ?? '').toLowerCase());
  });
  const ownerOf = (name: string): string => owner.get(name.toLowerCase()) ?? name.toLowerCase();
  const changes = new Map<string, number[]>();
  commits.forEach((c, i) => {
    for (const port of c.ports) {
      const key = ownerOf(port);
      const list = changes.get(key) ?? [];
      if (list[list.length - 1] !== i) list.push(i);
      changes.set(key, list);
    }
  });
  const revIndex = new Map(commits.map((c, i) => [c.sha, i]));
  /** The version of `name` in the tree at commit index `rev`: the newest change at or before it (-1: before the window). */
  const versionAt = (name: string, rev: number): number => {
    const list = changes.get(ownerOf(name));
    if (list === undefined) return -1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] ?? 0) <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? -1 : (list[lo - 1] ?? -1);
  };
  let headRev = -1; // newest commit made so far
  let sharedRev = -1; // buildbot's shared ports tree: the revision the last watcher synced
  let rebuildDone = false;
  const built = new Map<string, number>();
  const builtVersion = (name: string): number => built.get(name.toLowerCase()) ?? (rebuildDone ? -2 : -1);
  const waiting = new Map<string, number[]>();
  const remaining = new Map<number, number>();
  const watcherCommits = new Map<string, number[]>();
  const pendingSamples: { reported: number; builders: number; watchers: string[] }[] = [];
  const addedByWatcher = new Map<string, number>();
  const lastList = new Map<string, { entry: QueueEntry; ports: string[] }>();

  const restartRandom = seededRandom(input.seed * 7919 + 17);
  const lastCommitTime = commits[commits.length - 1]?.time ?? 0;
  const nextRestartAfter = (t: number): number => t - Math.log(1 - restartRandom()) * MEAN_DAYS_BETWEEN_RESTARTS * 24 * 60 * MINUTE;
  let restartAt = nextRestartAfter(commits[0]?.time ?? 0);
  let rebuildAt = input.fullRebuildAt === null ? null : Math.max(input.fullRebuildAt, commits[0]?.time ?? 0);
  const flights: Running[] = [];
  let next = 0;
  /** Ports whose last own build failed, at that version (the failed dependency a doomed build retries). */
  const broken = new Map<number, number>();
  /** Pending master builders per graph id (for dependencyViolations; every policy, coalescing or not). */
  const pendingIds = new Map<number, number>();
  const countPendingId = (port: string | null, by: number): void => {
    const id = port === null ? undefined : graph.ids.get(port.toLowerCase());
    if (id !== undefined) pendingIds.set(id, (pendingIds.get(id) ?? 0) + by);
  };
  const blocked = new Set<string>();
  const noteBlocked = (entries: readonly QueueEntry[]): void => {
    for (const e of entries) if (queue.waits.get(e.buildId)?.kind === 'blocked') blocked.add(e.buildId);
  };
  let rebuildWatcher: string | null = null;
  let rebuildStart = 0;
  let rebuildEnd: number | null = null;
  const rebuildDurations = new Map<number, number>();

  const listFor = (watcher: QueueEntry): string[] => {
    const rev = revIndex.get(watcher.portsRevision) ?? headRev;
    const names = watcher.force
      ? graph.names.map((_, id) => id).sort((a, b) => (graph.rank[a] ?? 0) - (graph.rank[b] ?? 0)).map((id) => graph.names[id] ?? '')
      : expandSubports(graph, watcher.changedPorts ?? []);
    // mpbb list-subports excludes ports whose archive for the current version already exists.
    return names.filter((name) => builtVersion(name) < versionAt(name, rev));
  };

  const dispatchNext = (now: number): void => {
    for (;;) {
      const entry = timed(() => selectNext(queue));
      if (entry === null) return;
      timed(() => markDispatching(queue, entry, now));
      eta?.dispatched(entry, now);
      if (entry.port !== null) {
        countPendingId(entry.port, -1);
        if (dependencyPendingOrInFlight(entry.port)) figures.dependencyViolations += 1;
      }
      flights.push({ entry, startAt: now + DISPATCH_TO_START, endAt: Infinity, started: false, version: -1, superseded: false, fails: false, doomed: false });
    }
  };
  /** At dispatch (the scheduler's decision): a port of the closure, ranked below (not a cycle partner), is pending or in flight. */
  const dependencyPendingOrInFlight = (port: string): boolean => {
    const id = graph.ids.get(port.toLowerCase());
    if (id === undefined) return false;
    const rank = graph.rank[id] ?? 0;
    const running = new Set(flights.flatMap((f) => (f.entry.port === null ? [] : [graph.ids.get(f.entry.port.toLowerCase())])));
    return closureOf(graph, id).some((dep) => (graph.rank[dep] ?? 0) < rank && ((pendingIds.get(dep) ?? 0) > 0 || running.has(dep)));
  };
  const nextEvent = (): Running | undefined => {
    let first: Running | undefined;
    for (const f of flights) if (first === undefined || eventAt(f) < eventAt(first)) first = f;
    return first;
  };

  /** A builder starts: which version it sees, whether it duplicates, breaks a dependency rule, fails or is doomed, and how long it takes. */
  const startBuilder = (current: Running, port: string, now: number): void => {
    const rev = queue.policy.coalesce ? (revIndex.get(current.entry.portsRevision) ?? headRev) : sharedRev;
    current.version = versionAt(port, rev);
    const duplicate = builtVersion(port) >= current.version;
    current.superseded = duplicate || versionAt(port, headRev) > current.version;
    const id = graph.ids.get(port.toLowerCase());
    const brokenDep = id === undefined ? undefined : closureOf(graph, id).find((dep) => broken.has(dep));
    let duration = durations.run(port, current.version);
    if (duplicate) {
      // Assumed: a build of a version already built stops after the VM start and the archive check.
      duration = Math.min(duration, DUPLICATE_BUILD);
    } else if (brokenDep !== undefined) {
      // No failcache on a fresh VM: install-dependencies builds the failed dependency again and fails the same way.
      const depName = graph.names[brokenDep] ?? '';
      const depVersion = broken.get(brokenDep) ?? -1;
      current.doomed = true;
      duration = 2 * MINUTE + durations.run(depName, depVersion) * input.failures.failingPart(depName, depVersion);
    } else if (input.failures.fails(port, current.version)) {
      current.fails = true;
      duration *= input.failures.failingPart(port, current.version);
    }
    current.endAt = now + duration;
  };

  for (;;) {
    input.signal?.throwIfAborted();
    const commitAt = commits[next]?.time ?? Infinity;
    const current = nextEvent();
    const runAt = current === undefined ? Infinity : eventAt(current);
    const restart = restartAt <= lastCommitTime ? restartAt : Infinity;
    const rebuild = rebuildAt ?? Infinity;
    const now = Math.min(commitAt, runAt, restart, rebuild);
    if (now === Infinity) break;
    ctx.now = now;
    if (now === rebuild) {
      rebuildAt = null;
      rebuildDone = true;
      built.clear();
      const rev = commits[Math.max(0, headRev)]?.sha ?? '0000000';
      rebuildWatcher = timed(() => enqueueWatcher(queue, { portsRevision: rev, changedPorts: null, force: true, prNumber: null }, ctx)).entry.buildId;
      rebuildStart = now;
    } else if (now === commitAt) {
      // One push: every commit within the tree-stable window.
      const group: number[] = [];
      while (next < commits.length && (commits[next]?.time ?? Infinity) <= now + TREE_STABLE) group.push(next++);
      headRev = group[group.length - 1] ?? headRev;
      input.onCommit?.(next);
      const ports = [...new Set(group.flatMap((i) => commits[i]?.ports ?? []))];
      if (ports.length > 0) {
        for (const i of group) {
          const names = expandSubports(graph, commits[i]?.ports ?? []);
          if (names.length === 0) continue;
          remaining.set(i, names.length);
          for (const name of names) {
            const key = name.toLowerCase();
            const list = waiting.get(key) ?? [];
            list.push(i);
            waiting.set(key, list);
          }
        }
        eta?.pushed(now);
        const sha = commits[headRev]?.sha ?? '0000000';
        const { entry } = timed(() => enqueueWatcher(queue, { portsRevision: sha, changedPorts: ports, force: false, prNumber: null }, ctx));
        watcherCommits.set(entry.buildId, [...(watcherCommits.get(entry.buildId) ?? []), ...group]);
        // What an operator is shown: buildbot knows only the builder requests; portfarm adds its estimate.
        const builders = heapSize(queue.builders);
        pendingSamples.push({
          reported: builders + (policy === 'portfarm' ? timed(() => countPending(queue)).estimatedFromWatchers : 0),
          builders,
          watchers: queue.watchers.map((w) => w.buildId),
        });
        const victim = queue.policy.preempt ? timed(() => findPreemptable(queue)) : undefined;
        const at = flights.findIndex((f) => f.entry === victim && !f.started);
        if (victim !== undefined && at >= 0) {
          // The cancelled run cost a VM clone and a runner registration, nothing more.
          figures.wastedMs += now - (victim.dispatchedAt ?? now);
          eta?.cancelled(victim);
          const open = queue.entries.size;
          const requeued = timed(() => requeuePreempted(queue, victim, ctx)).entry;
          // Queued again under a new id (not covered by a pending build of the port): pending once more.
          if (queue.entries.size === open) countPendingId(victim.port, 1);
          if (blocked.has(victim.buildId)) blocked.add(requeued.buildId);
          flights.splice(at, 1);
        }
      }
    } else if (now === restart) {
      restartAt = nextRestartAfter(now);
      // buildbot restarts the builds in progress; portfarm's runs live on GitHub and go on.
      for (const restarted of policy === 'portfarm' ? [] : flights.filter((f) => f.started)) {
        figures.wastedMs += now - restarted.startAt;
        const duration = restarted.endAt - restarted.startAt;
        restarted.startAt = now;
        restarted.endAt = now + duration;
        const origin = restarted.entry.origin === null ? undefined : lastList.get(restarted.entry.origin);
        if (policy === 'legacy' && origin !== undefined) {
          // The waiting watcher restarts too, beside the builder (ticket 53587), and triggers its list again.
          figures.concurrencyViolations += 1;
          const again = origin.ports.filter((name) => builtVersion(name) < versionAt(name, revIndex.get(origin.entry.portsRevision) ?? headRev));
          const result = timed(() => enqueueBuilders(queue, { origin: origin.entry, portsRevision: origin.entry.portsRevision, ports: again }, ctx));
          for (const added of result.added) countPendingId(added.port, 1);
        }
      }
    } else if (current !== undefined && !current.started) {
      current.started = true;
      timed(() => markStarted(current.entry, now));
      const { entry } = current;
      if (entry.port === null) {
        for (const i of watcherCommits.get(entry.buildId) ?? []) figures.watcherWaits.push(now - (commits[i]?.time ?? now));
        sharedRev = revIndex.get(entry.portsRevision) ?? headRev;
        current.endAt = now + durations.watcher(entry.force ? graph.names.length : (entry.changedPorts?.length ?? 0) * 3);
      } else {
        // buildbot builds whatever the shared tree holds; a portfarm builder checks out its own revision.
        startBuilder(current, entry.port, now);
      }
    } else if (current !== undefined) {
      const { entry } = current;
      const failed = current.fails || current.doomed;
      timed(() => markFinished(queue, entry, failed ? 'failure' : 'success', now));
      flights.splice(flights.indexOf(current), 1);
      eta?.finished(entry, now, now - (entry.dispatchedAt ?? now), !failed);
      if (entry.port === null) {
        const ports = listFor(entry);
        const result = timed(() => enqueueBuilders(queue, { origin: entry, portsRevision: entry.portsRevision, ports }, ctx));
        for (const added of result.added) countPendingId(added.port, 1);
        noteBlocked(result.added);
        addedByWatcher.set(entry.buildId, result.added.length);
        eta?.listAccepted(queue, result.added, now);
        lastList.set(entry.buildId, { entry, ports });
      } else {
        figures.builds += 1;
        const spent = current.endAt - current.startAt;
        if (current.superseded) {
          figures.supersededBuilds += 1;
          figures.wastedMs += spent;
        }
        const key = entry.port.toLowerCase();
        const id = graph.ids.get(key);
        // A build a failure held waited for a fix commit, not for a builder: no scheduler builds it sooner.
        if (entry.origin !== null && entry.origin === rebuildWatcher && !blocked.has(entry.buildId)) {
          rebuildEnd = now;
          figures.rebuildWorkMs += spent;
          if (id !== undefined) rebuildDurations.set(id, (rebuildDurations.get(id) ?? 0) + spent);
        }
        if (failed) figures.mailsSent += 1;
        if (current.doomed) {
          figures.doomedBuilds += 1;
          figures.doomedMs += spent;
          figures.innocentMails += 1;
        } else if (current.fails) {
          figures.failures += 1;
          if (id !== undefined) {
            broken.set(id, current.version);
            noteBlocked(queue.parked.get(id) ?? []);
          }
        } else if (id !== undefined) {
          broken.delete(id);
        }
        if (!failed && current.version > builtVersion(key)) {
          built.set(key, current.version);
          const list = waiting.get(key) ?? [];
          while (list.length > 0 && (list[0] ?? Infinity) <= current.version) {
            const i = list.shift() ?? 0;
            const left = (remaining.get(i) ?? 1) - 1;
            remaining.set(i, left);
            if (left === 0) figures.latencies.push(now - (commits[i]?.time ?? now));
          }
        }
      }
    }
    dispatchNext(now);
    if (queue.inFlight.length > input.parallel) figures.concurrencyViolations += 1;
    figures.maxPending = Math.max(figures.maxPending, queue.watchers.length + heapSize(queue.builders));
  }
  figures.blockedBuilds = blocked.size;
  if (rebuildEnd !== null) figures.makespanMs = rebuildEnd - rebuildStart;
  figures.rebuildChainMs = longestChain(graph, rebuildDurations);
  for (const sample of pendingSamples) {
    const actual = sample.builders + sample.watchers.reduce((sum, id) => sum + (addedByWatcher.get(id) ?? 0), 0);
    figures.pendingErrorSum += Math.abs(sample.reported - actual);
    figures.pendingSamples += 1;
  }
  return figures;
}

function eventAt(run: Running): number {
  return run.started ? run.endAt : run.startAt;
}
