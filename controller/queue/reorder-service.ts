import type { DatabaseSync } from 'node:sqlite';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';
import { portListSchema, type PortList } from '../model/port-list.ts';
import { toBuildResult } from '../model/to-build-result.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { QueueStatus } from '../status/status-snapshot.ts';
import { applyQueueChanges } from '../store/apply-queue-changes.ts';
import { inTransaction } from '../store/in-transaction.ts';
import { loadPlatformQueue } from '../store/load-platform-queue.ts';
import { rowToEntry } from '../store/row-to-entry.ts';
import { getDeliveryNote } from '../store/sql/get-delivery-note.ts';
import { getMeta } from '../store/sql/get-meta.ts';
import { prunePushRecords } from '../store/sql/prune-push-records.ts';
import { pushedAfter } from '../store/sql/pushed-after.ts';
import { recordPushLink } from '../store/sql/record-push-link.ts';
import { selectEntry } from '../store/sql/select-entry.ts';
import { setDeliveryNote } from '../store/sql/set-delivery-note.ts';
import { setMeta } from '../store/sql/set-meta.ts';
import { blockedBuilds, describeBlocked, type BlockedSummary } from './core/describe-blocked.ts';
import { describeQueue } from './core/describe-queue.ts';
import { enqueueBuilders } from './core/enqueue-builders.ts';
import { enqueueWatcher } from './core/enqueue-watcher.ts';
import { newestRevision } from './core/newest-revision.ts';
import { markDispatched, markFinished, markStarted } from './core/mark-run.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import { findPreemptable, requestCancel, requeuePreempted } from './core/preempt-builder.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueContext } from './core/queue-context.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import { POLICIES } from './core/queue-policy.ts';
import { requeueLost } from './core/requeue-lost.ts';
import { selectNext } from './core/select-next.ts';
import type { RunGateway, RunSummary } from './run-gateway.ts';
import type { PumpReport, ReconcileReport } from './service-reports.ts';

export type { PumpReport, ReconcileReport } from './service-reports.ts';
import { dispatchOne } from './dispatch-one.ts';
import { allFinishNotes, clearFinishNote, readFinishNote, writeFinishNote, type FinishNote } from './finish-notes.ts';
import { parseInput } from './parse-input.ts';
import { carryRetryCounts, forgetRetryCounts, retryCount, type RetryReason } from './retry-counts.ts';
import { watcherRequestSchema, type WatcherRequestInput } from './watcher-request-schema.ts';
import { CANCELLED_BY_OTHERS, MAX_CANCEL_RETRIES, MAX_LOST_RETRIES, type ReorderServiceOptions } from './reorder-service-options.ts';
import { crashPoint } from '../errors/crash-point.ts';

export { CANCELLED_BY_OTHERS, MAX_CANCEL_RETRIES, MAX_LOST_RETRIES, type ReorderServiceOptions } from './reorder-service-options.ts';

/** How long push links and delivery notes are kept: far beyond GitHub's 3 days of redelivery. */
const PUSH_RECORD_DAYS = 14;

/**
 * The reorder service: the pure queue core per platform, kept durable in SQLite, acting on
 * GitHub only through the RunGateway. Every state change is one transaction; the intent to
 * dispatch is committed before `dispatch` is called, so a crash at any point never leads to a
 * second run of the same build (reconcile finds the first by its build id).
 *
 * Not re-entrant: the caller serialises `pump` and `reconcile` (one loop per controller).
 */
export class ReorderService {
  readonly #db: DatabaseSync;
  readonly #gateway: RunGateway;
  readonly #graph: PortsGraph | null;
  readonly #queues = new Map<string, PlatformQueue>();
  readonly #lanes: ReadonlyMap<string, number>;
  readonly #prefix: string;
  #counter: number;

  constructor(options: ReorderServiceOptions) {
    this.#db = options.db;
    this.#gateway = options.gateway;
    this.#graph = options.graph;
    let prefix = getMeta(this.#db, 'id_prefix');
    if (prefix === undefined) {
      prefix = options.idPrefix ?? Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
      if (!/^[a-z0-9]{1,8}$/.test(prefix)) throw new Error(`build id prefix ${JSON.stringify(prefix)} must be 1-8 of a-z0-9`);
      // `pr-…` ids belong to ports-pr.yml's jobs (isPullRequestBuildId).
      if (prefix === 'pr') throw new Error('build id prefix "pr" is reserved for pull-request builds; choose another');
      setMeta(this.#db, 'id_prefix', prefix);
    }
    this.#prefix = prefix;
    this.#counter = Number(getMeta(this.#db, 'id_counter') ?? '0');
    this.#lanes = options.parallelBuilds ?? new Map();
    for (const platform of options.platforms) this.#queues.set(platform, this.#load(platform));
  }

  /**
   * Queues a watcher (a push, a PR head, a forced rebuild). Returns its build id, whether it
   * joined a pending watcher, and the revision it will list at: a push delivered after a newer
   * one it precedes gets the newer one's revision, never sets a watcher back to its own.
   */
  enqueueWatcher(input: WatcherRequestInput): { readonly buildId: BuildId; readonly coalesced: boolean; readonly portsRevision: string } {
    const parsed = parseInput(watcherRequestSchema, input, 'watcher request');
    const queue = this.#queue(parsed.platform);
    const seen = parsed.deliveryId === undefined ? undefined : `${parsed.deliveryId}:${parsed.platform}`;
    const before = seen === undefined ? undefined : getDeliveryNote(this.#db, seen);
    if (before !== undefined) return { buildId: before, coalesced: true, portsRevision: this.#entryRevision(before) ?? parsed.portsRevision };
    const now = parsed.now.getTime();
    const { entry, changes } = this.#change(queue, (ctx) => {
      if (parsed.previousRevision != null && parsed.prNumber === null) {
        recordPushLink(this.#db, parsed.previousRevision, parsed.portsRevision, now);
        prunePushRecords(this.#db, now - PUSH_RECORD_DAYS * 86_400_000);
      }
      const result = enqueueWatcher(queue, parsed, ctx);
      if (seen !== undefined) setDeliveryNote(this.#db, seen, result.entry.buildId, now);
      return { value: result, changes: result.changes };
    }, now);
    return { buildId: entry.buildId, coalesced: changes[0]?.op === 'coalesce', portsRevision: entry.portsRevision };
  }

  #entryRevision(buildId: BuildId): string | undefined {
    const open = this.#find(buildId);
    if (open !== undefined) return open.entry.portsRevision;
    const row = selectEntry(this.#db, buildId);
    return row === undefined ? undefined : rowToEntry(row).portsRevision;
  }

  /** The watcher's ordered port list becomes builders (coalesced with pending ones). A resent list adds nothing. */
  acceptPortList(input: PortList, now: Date): { readonly added: readonly BuildId[]; readonly coalesced: readonly BuildId[] } {
    const list = parseInput(portListSchema, input, 'port list');
    const queue = this.#queue(list.platform);
    const watcher = queue.entries.get(list.buildId);
    if (watcher === undefined || (watcher.kind !== 'watcher' && watcher.kind !== 'pr-watcher')) {
      const known = selectEntry(this.#db, list.buildId);
      if (known !== undefined && rowToEntry(known).listAccepted) return { added: [], coalesced: [] };
      throw new UserError(`port list for build ${list.buildId} on ${list.platform}: no watcher with that id is in flight there; the list is ignored`);
    }
    if (watcher.listAccepted) return { added: [], coalesced: [] };
    const result = this.#change(queue, (ctx) => {
      const r = enqueueBuilders(queue, { origin: watcher, portsRevision: list.portsRevision, ports: list.ports }, ctx);
      return { value: r, changes: r.changes };
    }, now.getTime());
    return { added: result.added.map((e) => e.buildId), coalesced: result.coalesced.map((e) => e.buildId) };
  }

  /** A runner took the build's job (workflow_job in_progress). Repeats and unknown ids change nothing. */
  runStarted(buildId: BuildId, now: Date): boolean {
    const found = this.#find(buildId);
    if (found === undefined) return false;
    return this.#change(found.queue, () => ({ value: true, changes: markStarted(found.entry, now.getTime()) }), now.getTime());
  }

  /**
   * The build's run completed. A run that failed without doing its work — a watcher whose list
   * never arrived, a build whose runner was lost or never had one (`runnerLost`) — is finished
   * and its build queued again under a new id, up to `MAX_LOST_RETRIES` times. A run cancelled
   * by someone else (a person's Cancel, a manual run displacing it in its concurrency group) is
   * finished as cancelled and its build queued again, up to `MAX_CANCEL_RETRIES` times; then the
   * build fails with the phase `cancelled-by-others` (`finishedAs` says so).
   */
  runFinished(buildId: BuildId, result: BuildResult, now: Date, options: { readonly runnerLost?: boolean } = {}): boolean {
    const found = this.#find(buildId);
    if (found === undefined) return false;
    this.#change(found.queue, (ctx) => ({ value: null, changes: this.#settle(found.queue, found.entry, result, options.runnerLost === true, ctx) }), now.getTime());
    return true;
  }

  /** Within one transaction: what a completed run means for its build (see `runFinished`). */
  #settle(queue: PlatformQueue, entry: QueueEntry, result: BuildResult, runnerLost: boolean, ctx: QueueContext): readonly QueueChange[] {
    const at = ctx.now;
    // The cancel this service asked for (a watcher preempted it): the build goes back to the head.
    if (entry.cancelRequested && result === 'cancelled') {
      forgetRetryCounts(this.#db, entry.buildId);
      return this.#toRecord(entry, result, at, requeuePreempted(queue, entry, ctx).changes);
    }
    if (this.#lostWork(entry, result, runnerLost)) return this.#toRecord(entry, result, at, this.#requeue(queue, entry, result, 'lost', ctx));
    if (result === 'cancelled' && !runnerLost) {
      if (retryCount(this.#db, 'cancel', entry.buildId) < MAX_CANCEL_RETRIES) return this.#toRecord(entry, result, at, this.#requeue(queue, entry, result, 'cancel', ctx));
      forgetRetryCounts(this.#db, entry.buildId);
      return this.#toRecord(entry, 'failure', at, markFinished(queue, entry, 'failure', at, false), CANCELLED_BY_OTHERS);
    }
    forgetRetryCounts(this.#db, entry.buildId);
    return this.#toRecord(entry, result, at, markFinished(queue, entry, result, at));
  }

  /** How the build finished, as it is to be recorded: the result, and the failed phase when the service set one. */
  finishedAs(buildId: BuildId): { readonly result: BuildResult; readonly phase: string | null } | undefined {
    const note = readFinishNote(this.#db, buildId);
    return note === undefined ? undefined : { result: note.result, phase: note.phase };
  }

  /**
   * Finished builds not yet in the ledger. A finish is committed together with this note, and
   * the controller clears it (`recorded`) once the ledger line is down: a crash between the two
   * leaves the note, and the next start records the build (unless its line made it).
   */
  unrecorded(): FinishNote[] {
    return allFinishNotes(this.#db);
  }

  /** The build's ledger line is written. */
  recorded(buildId: BuildId): void {
    clearFinishNote(this.#db, buildId);
  }

  /** Within the finishing transaction: note that the build is to be recorded, when it did finish now. */
  #toRecord(entry: QueueEntry, result: BuildResult, at: number, changes: readonly QueueChange[], phase: string | null = null): readonly QueueChange[] {
    if (changes.some((c) => c.op === 'finished' && c.buildId === entry.buildId)) {
      writeFinishNote(this.#db, { buildId: entry.buildId, result, phase, runId: entry.runId ?? 0, at: new Date(at) });
    }
    return changes;
  }

  #lostWork(entry: QueueEntry, result: BuildResult, runnerLost: boolean): boolean {
    if (result === 'success' || retryCount(this.#db, 'lost', entry.buildId) >= MAX_LOST_RETRIES) return false;
    // No runner ran it to the end (host lost, no VM could be had): the build never happened.
    if (runnerLost) return true;
    const watcher = entry.kind === 'watcher' || entry.kind === 'pr-watcher';
    return result === 'failure' && watcher && !entry.listAccepted;
  }

  /** Finishes the entry and queues its build again under a new id (`requeueLost`), its retry counted in the same transaction. */
  #requeue(queue: PlatformQueue, entry: QueueEntry, result: BuildResult, reason: RetryReason, ctx: QueueContext): readonly QueueChange[] {
    const r = requeueLost(queue, entry, result, ctx);
    if (r.entry.buildId !== entry.buildId) carryRetryCounts(this.#db, entry.buildId, r.entry.buildId, reason);
    else forgetRetryCounts(this.#db, entry.buildId);
    return r.changes;
  }

  /**
   * One scheduling pass: on every platform, cancel a dispatched-not-started builder if a
   * watcher waits and no lane is free (it is queued again at the head), then dispatch the next
   * builds while a lane is free (`platforms[].parallelBuilds`, 1 by default).
   */
  async pump(now: Date, signal: AbortSignal): Promise<PumpReport> {
    const dispatched: BuildId[] = [];
    const preempted: { buildId: BuildId; requeuedAs: BuildId }[] = [];
    const errors: { buildId: BuildId; error: Error }[] = [];
    const at = now.getTime();
    for (const queue of this.#queues.values()) {
      signal.throwIfAborted();
      const victim = findPreemptable(queue);
      if (victim?.runId !== null && victim !== undefined) {
        const runId = victim.runId;
        this.#change(queue, () => ({ value: null, changes: requestCancel(victim) }), at);
        crashPoint('cancel-requested');
        try {
          const { conclusion } = await this.#gateway.cancel(runId, signal);
          crashPoint('cancel-answered');
          // Only a run that really was cancelled goes back to the queue: one that completed
          // (or was taken) before the cancel landed built the port, and its own finish event
          // settles it; queueing it again would build the port twice.
          if (conclusion === 'cancelled') {
            const requeued = this.#change(queue, (ctx) => {
              const r = requeuePreempted(queue, victim, ctx);
              return { value: r.entry, changes: r.changes };
            }, at);
            preempted.push({ buildId: victim.buildId, requeuedAs: requeued.buildId });
          }
        } catch (caught) {
          errors.push({ buildId: victim.buildId, error: new Error(`cancelling run ${runId} of ${victim.buildId} failed`, { cause: coerceError(caught) }) });
          continue;
        }
      }
      // Up to the platform's lanes: each dispatch is its own intent, committed before GitHub is asked.
      for (let next = selectNext(queue); next !== null; next = selectNext(queue)) {
        const outcome = await dispatchOne(queue, next, at, signal, { gateway: this.#gateway, change: (operation) => this.#change(queue, operation, at) });
        if (outcome === 'dispatched') dispatched.push(next.buildId);
        else errors.push({ buildId: next.buildId, error: outcome.error });
        // Whether GitHub created the run is unknown: reconcile looks for it before anything else goes out.
        if (outcome !== 'dispatched' && outcome.unknown) break;
      }
    }
    return { dispatched, preempted, errors };
  }

  /**
   * After a restart (and whenever a dispatch failed): match every build in flight with
   * GitHub's runs by build id. A recorded intent whose run exists is adopted (never dispatched
   * twice); one whose run does not exist is queued again under a new id; started and finished
   * runs advance the state; a cancel that was asked for is finished.
   */
  async reconcile(now: Date, signal: AbortSignal): Promise<ReconcileReport> {
    const at = now.getTime();
    const inFlight = [...this.#queues.values()].flatMap((queue) => queue.inFlight.map((entry) => ({ queue, entry })));
    const report = {
      adopted: [] as BuildId[],
      requeued: [] as { buildId: BuildId; requeuedAs: BuildId }[],
      started: [] as BuildId[],
      finished: [] as { buildId: BuildId; runId: number; result: BuildResult; phase: string | null }[],
    };
    if (inFlight.length === 0) return report;
    const since = Math.min(...inFlight.map(({ entry }) => entry.dispatchedAt ?? at)) - 60 * 60 * 1000;
    const runs = new Map<string, RunSummary[]>();
    for (const run of await this.#gateway.listRuns(new Date(since), signal)) runs.set(run.buildId, [...(runs.get(run.buildId) ?? []), run]);
    for (const { queue, entry } of inFlight) {
      // Anyone can name a run `[<build id>] …`: the build's run is the one its dispatch answered
      // with, or, when that answer was lost, the one the App triggered.
      const named = runs.get(entry.buildId) ?? [];
      const run = entry.runId === null ? named.find((r) => r.triggeredByApp) : named.find((r) => r.runId === entry.runId);
      if (run === undefined) {
        if (entry.runId !== null || entry.state !== 'dispatched') continue; // listed runs lag; only a missing intent is safe to redo
        const requeued = this.#change(queue, (ctx) => {
          const r = requeuePreempted(queue, entry, ctx);
          return { value: r.entry, changes: r.changes };
        }, at);
        report.requeued.push({ buildId: entry.buildId, requeuedAs: requeued.buildId });
        continue;
      }
      if (entry.runId === null) {
        this.#change(queue, () => ({ value: null, changes: markDispatched(entry, run.runId) }), at);
        report.adopted.push(entry.buildId);
      }
      if (run.status === 'completed') {
        const result = toBuildResult(run.conclusion);
        if (entry.state === 'finished') continue; // a webhook finished it while GitHub was asked
        this.#change(queue, (ctx) => ({ value: null, changes: this.#settle(queue, entry, result, false, ctx) }), at);
        const as = this.finishedAs(entry.buildId);
        report.finished.push({ buildId: entry.buildId, runId: run.runId, result: as?.result ?? result, phase: as?.phase ?? null });
      } else if (run.status === 'in_progress' && entry.state === 'dispatched') {
        this.#change(queue, () => ({ value: null, changes: markStarted(entry, at) }), at);
        report.started.push(entry.buildId);
      }
    }
    return report;
  }

  /** Builds dispatched and not finished, on every platform. */
  inFlight(): readonly Readonly<QueueEntry>[] {
    return [...this.#queues.values()].flatMap((queue) => queue.inFlight);
  }

  /** One build in any state (finished included), for checks, the ledger and mail; undefined for an unknown id. */
  describeBuild(buildId: BuildId): Readonly<QueueEntry> | undefined {
    const live = this.#find(buildId);
    if (live !== undefined) return live.entry;
    const row = selectEntry(this.#db, buildId);
    return row === undefined ? undefined : rowToEntry(row);
  }

  /** Per platform, the builders held because a dependency failed there, by failed port (for status, checks and mail). */
  blocked(): { readonly platform: string; readonly blocked: BlockedSummary }[] {
    return [...this.#queues.values()].map((queue) => ({ platform: queue.platform, blocked: describeBlocked(queue) }));
  }

  /** A platform's pending builders held because a dependency failed, each with that port (for their checks). */
  blockedBuilds(platform: string): { readonly entry: Readonly<QueueEntry>; readonly blockedBy: string }[] {
    return blockedBuilds(this.#queue(platform));
  }

  /** Every platform's queue as the status API shows it (queueSchema). */
  queueStatus(now: Date): QueueStatus[] {
    return [...this.#queues.values()].map((queue) => describeQueue(queue, now.getTime()));
  }

  /** Runs `look` on a platform's live queue; it must not change it (the ETA projects a copy: cloneQueue). */
  peekQueue<T>(platform: string, look: (queue: PlatformQueue) => T): T {
    return look(this.#queue(platform));
  }

  #load(platform: string): PlatformQueue {
    return loadPlatformQueue(this.#db, platform, POLICIES.portfarm, this.#graph, this.#lanes.get(platform) ?? 1);
  }

  #queue(platform: string): PlatformQueue {
    const queue = this.#queues.get(platform);
    if (queue === undefined) {
      throw new UserError(`platform ${JSON.stringify(platform)} is not configured; known: ${[...this.#queues.keys()].join(', ')} (see portfarm.config.yaml)`);
    }
    return queue;
  }

  #find(buildId: BuildId): { queue: PlatformQueue; entry: QueueEntry } | undefined {
    for (const queue of this.#queues.values()) {
      const entry = queue.entries.get(buildId);
      if (entry !== undefined) return { queue, entry };
    }
    return undefined;
  }

  /**
   * Runs one core operation and persists its changes in one transaction. If the write fails
   * the platform's queue is reloaded from the database, so memory never runs ahead of it.
   */
  #change<T>(queue: PlatformQueue, operation: (ctx: QueueContext) => { value: T; changes: readonly QueueChange[] }, now: number): T {
    const startCounter = this.#counter;
    const ctx: QueueContext = {
      now,
      newBuildId: () => `${this.#prefix}-${(++this.#counter).toString(36)}`,
      newestRevision: (revision) => newestRevision(revision, (before) => pushedAfter(this.#db, before)),
    };
    try {
      return inTransaction(this.#db, () => {
        const { value, changes } = operation(ctx);
        applyQueueChanges(this.#db, changes);
        if (this.#counter !== startCounter) setMeta(this.#db, 'id_counter', String(this.#counter));
        return value;
      });
    } catch (caught) {
      this.#queues.set(queue.platform, this.#load(queue.platform));
      throw caught;
    }
  }
}
