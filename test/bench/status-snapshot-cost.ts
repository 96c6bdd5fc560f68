import type { PortsGraph } from '../../controller/ports/ports-graph.ts';
import { countPending } from '../../controller/queue/core/count-pending.ts';
import { describeBlocked } from '../../controller/queue/core/describe-blocked.ts';
import { describeQueue } from '../../controller/queue/core/describe-queue.ts';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { createPlatformQueue, type PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import { POLICIES } from '../../controller/queue/core/queue-policy.ts';
import { previewNext, selectNext } from '../../controller/queue/core/select-next.ts';
import { referenceDescribeQueue, referencePreviewNext } from '../queue/reference-preview-next.ts';

/** p50 / p95 / max of one timed part over the rounds (ms). */
export interface PartFigures {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface StatusSnapshotScenario {
  readonly name: string;
  readonly rounds: number;
  /** Pending master builders at the first and the last round measured. */
  readonly pendingFirst: number;
  readonly pendingLast: number;
  /** Parked builders (blocked or waiting on a run) at the last round. */
  readonly parkedLast: number;
  /** describeQueue as the controller runs it (after) and as it was (before: a heap copy per preview step). */
  readonly statusSnapshotMs: { readonly before: PartFigures; readonly after: PartFigures };
  /** Its parts: the preview of the next 5, the pending count, the blocked summary. */
  readonly previewMs: { readonly before: PartFigures; readonly after: PartFigures };
  readonly countPendingMs: PartFigures;
  readonly describeBlockedMs: PartFigures;
  /** Rounds whose two answers differed (must be 0). */
  readonly mismatches: number;
}

const figures = (times: number[]): PartFigures => {
  const sorted = times.toSorted((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return { p50: round(at(50)), p95: round(at(95)), max: round(sorted.at(-1) ?? 0) };
};

function timed<T>(times: number[], work: () => T): T {
  const t = performance.now();
  const out = work();
  times.push(performance.now() - t);
  return out;
}

/** A forced rebuild of every port queued on one platform (portfarm policy), the watcher's run finished. */
function rebuildQueue(graph: PortsGraph, lanes: number): PlatformQueue {
  const queue = createPlatformQueue('15_arm64', POLICIES.portfarm, graph, lanes);
  let ids = 0;
  const ctx = { now: 0, newBuildId: (): string => `s${String(++ids)}` };
  const forced = enqueueWatcher(queue, { portsRevision: 'abcdef0', changedPorts: null, force: true, prNumber: null }, ctx).entry;
  markDispatching(queue, forced, 0);
  markStarted(forced, 0);
  enqueueBuilders(queue, { origin: forced, portsRevision: 'abcdef0', ports: graph.names }, ctx);
  markFinished(queue, forced, 'success', 0);
  return queue;
}

/**
 * The status snapshot's cost in a scheduling round (issue #17's leftover): each round fills the
 * free lanes (selectNext + markDispatching), describes the queue as the status publisher does —
 * the old way and the new way, alternately first — then finishes the oldest run (every
 * `failEvery`-th one failing, which parks its dependents as blocked).
 */
function measureScenario(graph: PortsGraph, name: string, lanes: number, failEvery: number, rounds: number, progress: (line: string) => void): StatusSnapshotScenario {
  const queue = rebuildQueue(graph, lanes);
  const before: number[] = [];
  const after: number[] = [];
  const previewBefore: number[] = [];
  const previewAfter: number[] = [];
  const counting: number[] = [];
  const blocking: number[] = [];
  let mismatches = 0;
  let pendingFirst = -1;
  let finished = 0;
  for (let round = 0; round < rounds; round++) {
    for (let next = selectNext(queue); next !== null; next = selectNext(queue)) markDispatching(queue, next, round);
    if (pendingFirst < 0) pendingFirst = queue.builders.live.size;
    const now = round * 1000;
    const run = (): void => {
      const newer = timed(after, () => describeQueue(queue, now));
      const older = timed(before, () => referenceDescribeQueue(queue, now));
      if (JSON.stringify(newer) !== JSON.stringify(older)) mismatches += 1;
    };
    const runReversed = (): void => {
      const older = timed(before, () => referenceDescribeQueue(queue, now));
      const newer = timed(after, () => describeQueue(queue, now));
      if (JSON.stringify(newer) !== JSON.stringify(older)) mismatches += 1;
    };
    if (round % 2 === 0) run();
    else runReversed();
    timed(previewAfter, () => previewNext(queue, 5));
    timed(previewBefore, () => referencePreviewNext(queue, 5));
    timed(counting, () => countPending(queue));
    timed(blocking, () => describeBlocked(queue));
    const done = queue.inFlight[0];
    if (done === undefined) break;
    markStarted(done, now);
    finished += 1;
    markFinished(queue, done, finished % failEvery === 0 ? 'failure' : 'success', now);
    if ((round + 1) % 100 === 0) progress(`  ${name}: ${String(round + 1)} of ${String(rounds)} rounds`);
  }
  return {
    name,
    rounds: after.length,
    pendingFirst,
    pendingLast: queue.builders.live.size,
    parkedLast: queue.waits.size,
    statusSnapshotMs: { before: figures(before), after: figures(after) },
    previewMs: { before: figures(previewBefore), after: figures(previewAfter) },
    countPendingMs: figures(counting),
    describeBlockedMs: figures(blocking),
    mismatches,
  };
}

/** Prints the status snapshot's cost per round, before and after, at full-rebuild size; returns the figures. */
export function reportStatusSnapshotCost(graph: PortsGraph, rounds: number, out: (line?: string) => void): StatusSnapshotScenario[] {
  out(`status snapshot (describeQueue) per scheduling round, forced rebuild of ${String(graph.names.length)} ports on one platform, ${String(rounds)} rounds each:`);
  const scenarios = [
    measureScenario(graph, 'one lane, every build succeeds', 1, Number.POSITIVE_INFINITY, rounds, out),
    measureScenario(graph, 'one lane, 1 build in 20 fails', 1, 20, rounds, out),
    measureScenario(graph, '4 lanes, 1 build in 20 fails', 4, 20, rounds, out),
  ];
  const show = (f: PartFigures): string => `p50 ${f.p50.toFixed(3)} / p95 ${f.p95.toFixed(3)} / max ${f.max.toFixed(3)} ms`;
  for (const s of scenarios) {
    out(`  ${s.name} (${String(s.pendingFirst)} → ${String(s.pendingLast)} pending in the heap, ${String(s.parkedLast)} parked at the end):`);
    out(`    statusSnapshotMs before ${show(s.statusSnapshotMs.before)}; after ${show(s.statusSnapshotMs.after)}; p50 ×${(s.statusSnapshotMs.after.p50 / Math.max(1e-9, s.statusSnapshotMs.before.p50)).toFixed(3)}`);
    out(`    of which previewNext(5) before ${show(s.previewMs.before)}; after ${show(s.previewMs.after)}`);
    out(`    countPending ${show(s.countPendingMs)}; describeBlocked ${show(s.describeBlockedMs)}`);
    out(`    answers that differed: ${String(s.mismatches)} of ${String(s.rounds)} (must be 0)`);
  }
  return scenarios;
}
