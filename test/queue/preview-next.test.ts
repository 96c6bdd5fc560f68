import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { dependentsOf } from '../../controller/queue/core/closure-cache.ts';
import { describeBlocked } from '../../controller/queue/core/describe-blocked.ts';
import { describeQueue } from '../../controller/queue/core/describe-queue.ts';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { createPlatformQueue, type PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import { findPreemptable, requeuePreempted } from '../../controller/queue/core/preempt-builder.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { POLICIES, POLICY_NAMES } from '../../controller/queue/core/queue-policy.ts';
import { previewNext, selectNext } from '../../controller/queue/core/select-next.ts';
import { referenceDescribeQueue, referencePreviewNext } from './reference-preview-next.ts';

const graph = await loadPortsGraph(new URL('../fixtures/macports/ports.json', import.meta.url).pathname);
/** Ports with the most dependencies: commit lists of them pull their rebuild dependencies forward. */
const heavy = graph.names.map((name, id) => ({ name, deps: graph.deps[id]?.length ?? 0 })).sort((a, b) => b.deps - a.deps).slice(0, 80).map((p) => p.name);

const show = (entries: readonly QueueEntry[]): string[] => entries.map((e) => `${e.kind}:${e.port ?? '-'}#${e.buildId}`);

/** What the random sequences reached, so a sequence that never meets a rule cannot pass for proof. */
interface Reached {
  compared: number;
  pullForward: number;
  prInPreview: number;
  prAfterMaster: number;
  held: number;
  blocked: number;
  lanesBusy: number;
  headOfLine: number;
}

/** Keys of the pending master builders, smallest first: the preview differs from it when a dependency is pulled forward or a builder waits. */
function heapOrder(queue: PlatformQueue): string[] {
  return [...queue.entries.values()]
    .filter((e) => e.state === 'pending' && e.kind === 'builder' && queue.builders.live.has(e.buildId))
    .sort((a, b) => (a.head ? 0 : 1) - (b.head ? 0 : 1) || a.builderClass - b.builderClass || a.seq - b.seq || a.rank - b.rank || a.listIndex - b.listIndex)
    .map((e) => e.buildId);
}

function compare(queue: PlatformQueue, count: number, where: string, reached: Reached): void {
  const before = { masterSinceLastPr: queue.masterSinceLastPr, items: queue.builders.items.length, live: queue.builders.live.size, waits: queue.waits.size };
  const expected = referencePreviewNext(queue, count);
  const got = previewNext(queue, count);
  assert.deepEqual(show(got), show(expected), `${where}: previewNext(${String(count)})`);
  assert.deepEqual({ masterSinceLastPr: queue.masterSinceLastPr, items: queue.builders.items.length, live: queue.builders.live.size, waits: queue.waits.size }, before, `${where}: the preview changed the queue`);
  const now = queue.nextSeq * 1000 + 500;
  assert.deepEqual(describeQueue(queue, now), referenceDescribeQueue(queue, now), `${where}: describeQueue`);
  reached.compared += 1;
  const builders = got.filter((e) => e.kind === 'builder').map((e) => e.buildId);
  const plain = heapOrder(queue);
  if (builders.length > 0 && builders[0] !== plain[0] && queue.waits.size === 0) reached.pullForward += 1;
  if (got.some((e) => e.prNumber !== null)) reached.prInPreview += 1;
  if (got.some((e, i) => e.prNumber !== null && got.slice(0, i).some((m) => m.kind === 'builder'))) reached.prAfterMaster += 1;
  if (queue.waits.size > 0 && builders.length > 0) reached.held += 1;
  if ([...queue.waits.values()].some((w) => w.kind === 'blocked') && builders.length > 0) reached.blocked += 1;
  if (queue.inFlight.length >= queue.lanes && queue.lanes > 1) reached.lanesBusy += 1;
  if (got.some((e) => e.head)) reached.headOfLine += 1;
}

/** Random event sequences (seeded: a failure replays) with the new preview compared with the old algorithm after every event. */
function run(policy: (typeof POLICY_NAMES)[number], lanes: number, seeds: number): Reached {
  const reached: Reached = { compared: 0, pullForward: 0, prInPreview: 0, prAfterMaster: 0, held: 0, blocked: 0, lanesBusy: 0, headOfLine: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const random = seededRandom(seed * 7 + lanes);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const queue = createPlatformQueue('15_arm64', POLICIES[policy], graph, lanes);
    let ids = 0;
    const ctx = { now: 0, newBuildId: (): string => `b${String(++ids)}` };
    const rev = (): string => Math.floor(random() * 0xfffffff).toString(16).padStart(7, '0');
    for (let step = 0; step < 220; step++) {
      ctx.now = step * 1000;
      const roll = random();
      const running: QueueEntry | undefined = queue.inFlight.length === 0 ? undefined : pick(queue.inFlight);
      if (roll < 0.08) {
        const pr = random() < 0.3 ? 1 + Math.floor(random() * 3) : null;
        const ports = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random() < 0.7 ? heavy : graph.names));
        enqueueWatcher(queue, { portsRevision: rev(), changedPorts: ports, force: pr === null && step < 20 && random() < 0.3, prNumber: pr }, ctx);
      } else if (roll < 0.5) {
        const victim = policy === 'portfarm' ? findPreemptable(queue) : undefined;
        if (victim !== undefined && random() < 0.5) requeuePreempted(queue, victim, ctx);
        const next = selectNext(queue);
        if (next !== null) markDispatching(queue, next, step);
      } else if (roll < 0.65 && running !== undefined) {
        markStarted(running, step);
      } else if (running !== undefined && (running.state === 'started' || random() < 0.1)) {
        if (running.state === 'started' && (running.kind === 'watcher' || running.kind === 'pr-watcher')) {
          const ports = running.force ? graph.names : (running.changedPorts ?? []);
          enqueueBuilders(queue, { origin: running, portsRevision: running.portsRevision, ports: [...new Set(ports)] }, ctx);
        }
        const failed = running.state === 'started' && running.kind === 'builder' && random() < 0.12;
        markFinished(queue, running, running.state === 'started' ? (failed ? 'failure' : 'success') : 'cancelled', step);
      }
      compare(queue, 1 + Math.floor(random() * 8), `${policy} lanes ${String(lanes)} seed ${String(seed)} step ${String(step)}`, reached);
    }
  }
  return reached;
}

for (const policy of POLICY_NAMES) {
  test(`${policy}: the preview read in place and the status equal the old copy-per-step preview and status over random queues (deps, PRs, lanes, blocked builders)`, () => {
    const one = run(policy, 1, 12);
    const three = run(policy, 3, 8);
    const reached = Object.fromEntries(Object.keys(one).map((k) => [k, one[k as keyof Reached] + three[k as keyof Reached]]));
    assert.ok((reached.compared ?? 0) > 4000, `compared ${JSON.stringify(reached)}`);
    for (const rule of ['prInPreview', 'prAfterMaster', 'lanesBusy'] as const) assert.ok((reached[rule] ?? 0) > 0, `${policy}: no preview met ${rule}: ${JSON.stringify(reached)}`);
    if (policy === 'portfarm') {
      for (const rule of ['pullForward', 'held', 'blocked', 'headOfLine'] as const) assert.ok((reached[rule] ?? 0) > 0, `${policy}: no preview met ${rule}: ${JSON.stringify(reached)}`);
    }
  });
}

test('the status a round publishes is the one the old describeQueue gave, field for field', () => {
  for (const policy of POLICY_NAMES) {
    const queue = createPlatformQueue('15_arm64', POLICIES[policy], graph, 2);
    let ids = 0;
    const ctx = { now: 1_000, newBuildId: (): string => `s${String(++ids)}` };
    const forced = enqueueWatcher(queue, { portsRevision: 'aaaaaaa', changedPorts: null, force: true, prNumber: null }, ctx).entry;
    markDispatching(queue, forced, 0);
    markStarted(forced, 0);
    enqueueBuilders(queue, { origin: forced, portsRevision: 'aaaaaaa', ports: graph.names }, ctx);
    markFinished(queue, forced, 'success', 0);
    let mostFailedPorts = 0;
    let finished = 0;
    for (let round = 0; round < 240; round++) {
      ctx.now += 1_000;
      if (round % 9 === 0) enqueueWatcher(queue, { portsRevision: 'bbbbbbb', changedPorts: heavy.slice(round, round + 3), force: false, prNumber: round % 18 === 0 ? 7 : null }, ctx);
      const next = selectNext(queue);
      if (next !== null) markDispatching(queue, next, ctx.now);
      const done = queue.inFlight[0];
      if (done !== undefined && round % 4 !== 3) {
        markStarted(done, ctx.now);
        if (done.kind === 'watcher' || done.kind === 'pr-watcher') enqueueBuilders(queue, { origin: done, portsRevision: done.portsRevision, ports: done.changedPorts ?? [] }, ctx);
        // Three builds in four of a port that holds pending dependents fail: they are blocked by it.
        const id = done.port === null ? undefined : graph.ids.get(done.port.toLowerCase());
        const holds = id !== undefined && dependentsOf(graph, id).some((d) => queue.pendingByGraphId.has(d));
        markFinished(queue, done, holds && ++finished % 4 !== 0 ? 'failure' : 'success', ctx.now);
      }
      assert.deepEqual(describeQueue(queue, ctx.now), referenceDescribeQueue(queue, ctx.now), `${policy} round ${String(round)}`);
      mostFailedPorts = Math.max(mostFailedPorts, describeBlocked(queue).byPort.length);
    }
    // The status names the 10 failed ports holding the most; the sequence must reach more than 10.
    if (policy === 'portfarm') assert.ok(mostFailedPorts > 10, `at most ${String(mostFailedPorts)} failed ports held builders`);
  }
});
