import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countPending } from '../../controller/queue/core/count-pending.ts';
import { describeBlocked } from '../../controller/queue/core/describe-blocked.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { createPlatformQueue, type PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import { findPreemptable } from '../../controller/queue/core/preempt-builder.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { POLICIES } from '../../controller/queue/core/queue-policy.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, SMALL_GRAPH } from './queue-helpers.ts';

const master = { changedPorts: null, force: false, prNumber: null } as const;

function lanesQueue(lanes: number): PlatformQueue {
  return createPlatformQueue('15_arm64', POLICIES.portfarm, SMALL_GRAPH, lanes);
}

/** Dispatches what selectNext gives until it gives nothing; returns those builds. */
function fill(queue: PlatformQueue): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (let next = selectNext(queue); next !== null; next = selectNext(queue)) {
    markDispatching(queue, next, 0);
    out.push(next);
  }
  return out;
}

const ports = (entries: readonly QueueEntry[]): string[] => entries.map((e) => e.port ?? e.kind);

test('lanes: up to K independent builders run at once on a platform, never more', () => {
  const queue = lanesQueue(2);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib', 'python']);
  assert.deepEqual(ports(fill(queue)), ['zlib', 'leaf']);
  assert.equal(queue.inFlight.length, 2);
  assert.equal(selectNext(queue), null, 'both lanes busy');
});

test('one lane (the default) is today\'s rule: one run in flight per platform', () => {
  const queue = createPlatformQueue('15_arm64', POLICIES.portfarm, SMALL_GRAPH);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib']);
  assert.deepEqual(ports(fill(queue)), ['zlib']);
});

test('dependency safety: a builder waits while a port of its dependency closure is in flight, and says what it waits for', () => {
  const queue = lanesQueue(4);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'openssl', 'curl', 'leaf']);
  const first = fill(queue);
  assert.deepEqual(ports(first), ['zlib', 'leaf'], 'openssl and curl need zlib, which is in flight');
  const openssl = [...queue.entries.values()].find((e) => e.port === 'openssl');
  assert.deepEqual(queue.waits.get(openssl?.buildId ?? ''), { kind: 'running', on: SMALL_GRAPH.ids.get('zlib'), port: 'zlib' });
  const zlib = first[0];
  assert.ok(zlib !== undefined);
  markStarted(zlib, 1);
  markFinished(queue, zlib, 'success', 2);
  assert.deepEqual(ports(fill(queue)), ['openssl'], 'curl still needs openssl');
});

test('dependency safety: a newer revision of a port does not start while the older one is in flight', () => {
  const queue = lanesQueue(3);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  const [old] = fill(queue);
  commit(queue, ctx, 'bbbbbbb', ['leaf']);
  assert.deepEqual(fill(queue), [], 'leaf@bbbbbbb waits for leaf@aaaaaaa');
  assert.ok(old !== undefined);
  markFinished(queue, old, 'success', 1);
  assert.deepEqual(fill(queue).map((e) => `${e.port ?? ''}@${e.portsRevision}`), ['leaf@bbbbbbb']);
});

test('pull-forward stays: a commit builder whose dependency is queued by the rebuild builds it first, on one lane', () => {
  const queue = lanesQueue(2);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'openssl', 'curl', 'git', 'leaf'], true);
  commit(queue, ctx, 'bbbbbbb', ['git']);
  // git (commit class) goes first, but its closure is pending in the rebuild: zlib comes forward;
  // then nothing else of git's closure may start beside it, and leaf is free.
  assert.deepEqual(ports(fill(queue)), ['zlib', 'leaf']);
});

test('a waiting watcher takes the next free lane; one master watcher runs at a time', () => {
  const queue = lanesQueue(2);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib', 'python']);
  const running = fill(queue);
  const watcher = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx).entry;
  assert.equal(selectNext(queue), null);
  const done = running[0];
  assert.ok(done !== undefined);
  markFinished(queue, done, 'success', 1);
  assert.equal(selectNext(queue), watcher, 'the watcher before the pending python');
  markDispatching(queue, watcher, 1);
  const second = enqueueWatcher(queue, { ...master, portsRevision: 'ccccccc' }, ctx).entry;
  assert.notEqual(second, watcher);
  const other = running[1];
  assert.ok(other !== undefined);
  markFinished(queue, other, 'success', 2);
  assert.equal(selectNext(queue)?.port, 'python', 'the second watcher waits for the first (lists in commit order); a builder takes the lane');
});

test('preemption only when no lane can take the watcher', () => {
  const free = lanesQueue(3);
  const ctx = counterContext();
  commit(free, ctx, 'aaaaaaa', ['leaf', 'zlib']);
  assert.equal(fill(free).length, 2);
  const watcher = enqueueWatcher(free, { ...master, portsRevision: 'bbbbbbb' }, ctx).entry;
  assert.equal(findPreemptable(free), undefined, 'the third lane is free: nothing is cancelled');
  assert.equal(selectNext(free), watcher);

  const full = lanesQueue(2);
  const ctx2 = counterContext();
  commit(full, ctx2, 'aaaaaaa', ['leaf', 'zlib']);
  const [zlib, leaf] = fill(full);
  assert.ok(zlib !== undefined && leaf !== undefined);
  markStarted(zlib, 1);
  enqueueWatcher(full, { ...master, portsRevision: 'bbbbbbb' }, ctx2);
  assert.equal(findPreemptable(full), leaf, 'every lane busy: the builder not started yet is cancelled, the started one never');
});

test('the pending count keeps the builders set aside behind a port in flight (they run when it ends), and leaves the blocked ones to `blocked`', () => {
  const queue = lanesQueue(4);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'openssl', 'curl', 'leaf']);
  fill(queue);
  // zlib and leaf in flight; openssl and curl wait for zlib: two builders still to run.
  assert.equal(queue.waits.size, 2);
  assert.equal(countPending(queue).builders, 2);
  const zlib = queue.inFlight.find((e) => e.port === 'zlib');
  assert.ok(zlib !== undefined);
  markStarted(zlib, 1);
  markFinished(queue, zlib, 'failure', 2);
  // zlib failed: openssl and curl are blocked by it, no longer pending work for a lane.
  assert.equal(countPending(queue).builders, 0);
  assert.equal(describeBlocked(queue).total, 2);
});
