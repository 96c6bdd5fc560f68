import type { DatabaseSync } from 'node:sqlite';
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
import { selectIntakes } from '../store/sql/port-list-intake.ts';
import { setDeliveryNote } from '../store/sql/set-delivery-note.ts';
import { setMeta } from '../store/sql/set-meta.ts';
import { blockedBuilds, describeBlocked, type BlockedSummary } from './core/describe-blocked.ts';
import { describeQueue } from './core/describe-queue.ts';
import { enqueueWatcher } from './core/enqueue-watcher.ts';
import { newestRevision } from './core/newest-revision.ts';
import { markDispatched, markStarted } from './core/mark-run.ts';
import type { PlatformQueue } from './core/platform-queue.ts';
import { findPreemptable, requestCancel } from './core/preempt-builder.ts';
import type { QueueChange } from './core/queue-change.ts';
import type { QueueContext } from './core/queue-context.ts';
import type { QueueEntry } from './core/queue-entry.ts';
import { POLICIES } from './core/queue-policy.ts';
import type { RunGateway, RunSummary } from './run-gateway.ts';
import type { PumpReport, ReconcileReport } from './service-reports.ts';

export type { PumpReport, ReconcileReport } from './service-reports.ts';
export type { AcceptedList, IntakeOptions } from './port-list-intake.ts';
import { CancelLanes } from './cancel-lanes.ts';
import { dispatchPlatform } from './dispatch-platform.ts';
import { requeueUnsent } from './requeue-unsent.ts';
import { settlePreemption } from './settle-preemption.ts';
import { allFinishNotes, clearFinishNote, readFinishNote, type FinishNote } from './finish-notes.ts';
import { parseInput } from './parse-input.ts';
import { settleRun } from './settle-run.ts';
import { PORT_LIST_SLICE, PortListIntake, type AcceptedList, type IntakeOptions } from './port-list-intake.ts';
import { watcherRequestSchema, type WatcherRequestInput } from './watcher-request-schema.ts';
import type { ReorderServiceOptions } from './reorder-service-options.ts';
import { crashPoint } from '../errors/crash-point.ts';

export { CANCELLED_BY_OTHERS, MAX_CANCEL_RETRIES, MAX_LOST_RETRIES, type ReorderServiceOptions } from './reorder-service-options.ts';

const NOTHING: AcceptedList = { added: [], coalesced: [] };
const joined = (a: AcceptedList, b: AcceptedList): AcceptedList => ({ added: [...a.added, ...b.added], coalesced: [...a.coalesced, ...b.coalesced] });

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
  readonly #slice: number;
  readonly #intake: PortListIntake;
  readonly #cancels: CancelLanes;
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
    this.#slice = options.portListSlice ?? PORT_LIST_SLICE;
    this.#cancels = new CancelLanes(options.gateway, options.onCancelSettled ?? (() => undefined));
    this.#intake = new PortListIntake({ db: this.#db, queueOf: (platform) => this.#queue(platform), change: (queue, operation, at) => this.#change(queue, operation, at) });
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

  /**
   * The watcher's ordered port list becomes builders (coalesced with pending ones), every slice
   * now. A resent list adds nothing. The controller takes lists with `takePortList` instead.
   */
  acceptPortList(input: PortList, now: Date): AcceptedList {
    const target = this.#listTarget(input);
    if (target === null) return NOTHING;
    const { first, plan } = this.#intake.accept(target.queue, target.watcher, target.list, now.getTime(), this.#slice);
    return plan === null ? first : joined(first, this.#intake.restNow(plan, this.#slice, now.getTime(), this.#slice));
  }

  /**
   * `acceptPortList` without holding the event loop: once the list is accepted (durably: one
   * transaction with its first slice of builders) the rest is queued a slice per transaction
   * with the loop free in between (port-list-intake.ts). A resent list whose builders are not
   * all queued yet (a slice failed, the controller stopped) goes on queueing them.
   * `options.onAccepted` runs inside the accepting transaction, never for a resent list.
   */
  async takePortList(input: PortList, now: Date, options: IntakeOptions = {}): Promise<AcceptedList> {
    const target = this.#listTarget(input);
    if (target === null) {
      const left = this.#intake.cursor(input.buildId, input.platform);
      return left === undefined ? NOTHING : this.#intake.rest(left.plan, left.next, now.getTime(), { sliceSize: this.#slice, ...options });
    }
    const { first, plan } = this.#intake.accept(target.queue, target.watcher, target.list, now.getTime(), this.#slice, options.onAccepted);
    if (plan === null) return first;
    return joined(first, await this.#intake.rest(plan, this.#slice, now.getTime(), { sliceSize: this.#slice, ...options }));
  }

  /** Goes on queueing the builders of lists a stop or a crash left half queued (at start). */
  async resumePortLists(now: Date, options: IntakeOptions = {}): Promise<void> {
    for (const platform of this.#queues.keys()) await this.#intake.resume(platform, now.getTime(), { sliceSize: this.#slice, ...options });
  }

  /** The watcher's queue and the validated list, or null for a list already accepted; refuses one no watcher in flight can take. */
  #listTarget(input: PortList): { readonly queue: PlatformQueue; readonly watcher: QueueEntry; readonly list: PortList } | null {
    const list = parseInput(portListSchema, input, 'port list');
    const queue = this.#queue(list.platform);
    const watcher = queue.entries.get(list.buildId);
    if (watcher === undefined || (watcher.kind !== 'watcher' && watcher.kind !== 'pr-watcher')) {
      const known = selectEntry(this.#db, list.buildId);
      if (known !== undefined && rowToEntry(known).listAccepted) return null;
      throw new UserError(`port list for build ${list.buildId} on ${list.platform}: no watcher with that id is in flight there; the list is ignored`);
    }
    return watcher.listAccepted ? null : { queue, watcher, list };
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
    this.#change(found.queue, (ctx) => ({ value: null, changes: settleRun(this.#db, found.queue, found.entry, result, options.runnerLost === true, ctx) }), now.getTime());
    return true;
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

  /**
   * One scheduling pass: on every platform, cancel a dispatched-not-started builder if a
   * watcher waits and no lane is free (it is queued again at the head once GitHub completed the
   * cancelled run; until then only that platform waits: `CancelLanes`), then dispatch the next
   * builds while a lane is free (`platforms[].parallelBuilds`, 1 by default).
   */
  async pump(now: Date, signal: AbortSignal): Promise<PumpReport> {
    const report = {
      dispatched: [] as BuildId[],
      preempted: [] as { buildId: BuildId; requeuedAs: BuildId }[],
      deferred: [] as { buildId: BuildId; requeuedAs: BuildId; error: Error }[],
      errors: [] as { buildId: BuildId; error: Error }[],
    };
    const at = now.getTime();
    for (const queue of this.#queues.values()) {
      const victim = this.#cancels.has(queue.platform) ? undefined : findPreemptable(queue);
      if (victim?.runId === null || victim === undefined) continue;
      this.#change(queue, () => ({ value: null, changes: requestCancel(victim) }), at);
      crashPoint('cancel-requested');
      this.#cancels.start(queue.platform, victim, victim.runId, signal);
    }
    // A cancel GitHub answers at once (a run already completed, a fake) is taken in this round.
    if (this.#cancels.size > 0) await new Promise<void>((resolve) => { setImmediate(resolve); });
    // Platforms dispatch side by side: a push to 20 platforms is 20 requests at once, paced by the
    // GitHub clients, not one round trip after another (dispatch-platform.ts).
    const platforms = [...this.#queues.values()].map(async (queue) => {
      signal.throwIfAborted();
      if (!settlePreemption(this.#db, this.#cancels, queue, report, (operation) => this.#change(queue, operation, at))) return;
      await dispatchPlatform(queue, at, signal, {
        gateway: this.#gateway,
        change: (operation) => this.#change(queue, operation, at),
        requeueUnsent: (entry) => this.#change(queue, (ctx) => {
          const r = requeueUnsent(this.#db, queue, entry, ctx);
          return { value: r.entry.buildId, changes: r.changes };
        }, at),
      }, report);
    });
    // Every platform's work ends before pump returns (the service is not re-entrant), even when one failed.
    const failed = (await Promise.allSettled(platforms)).find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return report;
  }

  /** Resolves when every preempting cancel under way has its outcome (the next `pump` takes it). */
  cancelsSettled(): Promise<void> {
    return this.#cancels.settled();
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
          const r = requeueUnsent(this.#db, queue, entry, ctx);
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
        this.#change(queue, (ctx) => ({ value: null, changes: settleRun(this.#db, queue, entry, result, false, ctx) }), at);
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
    const queue = loadPlatformQueue(this.#db, platform, POLICIES.portfarm, this.#graph, this.#lanes.get(platform) ?? 1);
    // A list half queued has its enqueue number already, maybe with no builder stored yet.
    for (const left of selectIntakes(this.#db, platform)) queue.nextSeq = Math.max(queue.nextSeq, left.plan.seq + 1);
    return queue;
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
