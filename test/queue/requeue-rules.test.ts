import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { findPreemptable, requestCancel, requeuePreempted } from '../../controller/queue/core/preempt-builder.ts';
import { requeueLost } from '../../controller/queue/core/requeue-lost.ts';
import { previewNext, selectNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, drain, makeQueue } from './queue-helpers.ts';

const master = { changedPorts: null, force: false, prNumber: null } as const;

test('a build is put back once: requeueing a run already finished changes nothing', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib']);
  const lost = selectNext(queue);
  assert.ok(lost !== null);
  markDispatching(queue, lost, 0);
  const first = requeueLost(queue, lost, 'failure', ctx);
  assert.deepEqual(first.changes.map((c) => c.op), ['finished', 'insert']);
  assert.deepEqual(requeueLost(queue, lost, 'failure', ctx), { entry: lost, changes: [] });
  const preempted = selectNext(queue);
  assert.ok(preempted !== null);
  markDispatching(queue, preempted, 1);
  assert.deepEqual(requeuePreempted(queue, preempted, ctx).changes.map((c) => c.op), ['finished', 'insert']);
  assert.deepEqual(requeuePreempted(queue, preempted, ctx), { entry: preempted, changes: [] });
  assert.equal(drain(queue, ctx).length, 2, 'each port once more, not twice');
});

test('a lost or cancelled builder whose port a newer list queued meanwhile is covered by that build, not queued twice', () => {
  for (const requeue of ['lost', 'preempted'] as const) {
    const queue = makeQueue();
    const ctx = counterContext();
    commit(queue, ctx, 'aaaaaaa', ['leaf']);
    const leaf = selectNext(queue);
    assert.ok(leaf !== null);
    markDispatching(queue, leaf, 0);
    // A newer watcher's list (the core allows it; a restart can leave two runs in flight).
    const { entry: newer } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
    const { added } = enqueueBuilders(queue, { origin: newer, portsRevision: 'bbbbbbb', ports: ['leaf'] }, ctx);
    const result = requeue === 'lost' ? requeueLost(queue, leaf, 'failure', ctx) : requeuePreempted(queue, leaf, ctx);
    assert.equal(result.entry, added[0], requeue);
    assert.deepEqual(result.changes.map((c) => c.op), ['finished'], requeue);
  }
});

test('a lost builder is queued again at its own revision; a lost watcher at the newest queued on its own tree only, ready for a new list', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  const leaf = selectNext(queue);
  assert.ok(leaf !== null);
  markDispatching(queue, leaf, 0);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(requeueLost(queue, leaf, 'failure', ctx).entry.portsRevision, 'aaaaaaa');

  const other = makeQueue();
  const { entry: watcher } = enqueueWatcher(other, { ...master, portsRevision: 'ccccccc' }, ctx);
  markDispatching(other, watcher, 0);
  enqueueWatcher(other, { portsRevision: 'ddddddd', changedPorts: ['leaf'], force: false, prNumber: 5 }, ctx);
  const { entry: again } = requeueLost(other, watcher, 'failure', ctx);
  assert.equal(again.portsRevision, 'ccccccc', 'a PR head is not a newer master revision');
  assert.equal(again.listAccepted, false);
  assert.equal(again.head, false, 'a watcher keeps its place by seq, not the head of the builders');
});

test('a lost PR watcher keeps its place ahead of a newer PR watcher', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const { entry: first } = enqueueWatcher(queue, { portsRevision: 'aaaaaaa', changedPorts: ['leaf'], force: false, prNumber: 1 }, ctx);
  markDispatching(queue, first, 0);
  const { entry: second } = enqueueWatcher(queue, { portsRevision: 'bbbbbbb', changedPorts: ['zlib'], force: false, prNumber: 2 }, ctx);
  const { entry: again } = requeueLost(queue, first, 'failure', ctx);
  assert.deepEqual(queue.prWatchers.map((w) => w.buildId), [again.buildId, second.buildId]);
  assert.equal(selectNext(queue), again);
});

test('a dispatched PR builder is preempted for a master watcher like a master builder; a watcher in flight never is', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const { entry: pr } = enqueueWatcher(queue, { portsRevision: 'aaaaaaa', changedPorts: ['leaf'], force: false, prNumber: 4 }, ctx);
  markDispatching(queue, pr, 0);
  enqueueBuilders(queue, { origin: pr, portsRevision: 'aaaaaaa', ports: ['leaf'] }, ctx);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(findPreemptable(queue), undefined, 'the PR watcher in flight is not cancelled');
  const other = makeQueue();
  const { entry: prWatcher } = enqueueWatcher(other, { portsRevision: 'aaaaaaa', changedPorts: ['leaf'], force: false, prNumber: 4 }, ctx);
  markDispatching(other, prWatcher, 0);
  enqueueBuilders(other, { origin: prWatcher, portsRevision: 'aaaaaaa', ports: ['leaf'] }, ctx);
  markFinished(other, prWatcher, 'success', 1);
  const prBuilder = selectNext(other);
  assert.equal(prBuilder?.kind, 'pr-builder');
  markDispatching(other, prBuilder, 2);
  enqueueWatcher(other, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(findPreemptable(other), prBuilder);
  assert.deepEqual(requestCancel(prBuilder), [{ op: 'cancel-requested', buildId: prBuilder.buildId }]);
  markStarted(prBuilder, 3);
  assert.deepEqual(requestCancel(prBuilder), [], 'a started run is never cancelled');
});

test('previews never take builds out of the queue', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib', 'git']);
  const preview = previewNext(queue, 2).map((e) => e.buildId);
  assert.deepEqual(previewNext(queue, 2).map((e) => e.buildId), preview);
  assert.equal(drain(queue, ctx).length, 3);
});

test('the preview is the order the queue then runs: PR fair share, pulled-forward dependencies and all, and no longer than asked', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const { entry: pr } = enqueueWatcher(queue, { portsRevision: 'ppppppp', changedPorts: ['leaf'], force: false, prNumber: 9 }, ctx);
  markDispatching(queue, pr, 0);
  enqueueBuilders(queue, { origin: pr, portsRevision: 'ppppppp', ports: ['leaf', 'zlib'] }, ctx);
  markFinished(queue, pr, 'success', 0);
  // The a ⇄ b cycle too: the preview walks dependencies where the run (one list left) does not.
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib', 'openssl', 'curl', 'python', 'py312', 'py313', 'a', 'b'], true);
  commit(queue, ctx, 'bbbbbbb', ['git']);
  // A watcher runs first and does not count as a master run for the PR share.
  enqueueWatcher(queue, { ...master, portsRevision: 'ccccccc', changedPorts: [] }, ctx);
  const preview = previewNext(queue, 20).map((e) => `${e.kind}:${e.port ?? '-'}@${e.portsRevision}`);
  assert.equal(previewNext(queue, 3).length, 3);
  const ran: string[] = [];
  for (let next = selectNext(queue); next !== null; next = selectNext(queue)) {
    ran.push(`${next.kind}:${next.port ?? '-'}@${next.portsRevision}`);
    markDispatching(queue, next, 0);
    markFinished(queue, next, 'success', 0);
  }
  assert.equal(ran.length, 13);
  assert.equal(ran.findIndex((r) => r.startsWith('pr-')), 5, `one PR run in five: ${ran.join(' ')}`);
  assert.deepEqual(preview, ran);
});

test('the simulator\'s policies: proposed and legacy run each list in its own order, oldest first, merge nothing and preempt nothing', () => {
  for (const policy of ['proposed', 'legacy'] as const) {
    const queue = makeQueue(policy);
    const ctx = counterContext();
    commit(queue, ctx, 'aaaaaaa', ['git', 'zlib']);
    // Legacy runs a watcher only after the builders before it: hand the second list over directly.
    const { entry: second } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
    markDispatching(queue, second, 0);
    enqueueBuilders(queue, { origin: second, portsRevision: 'bbbbbbb', ports: ['zlib', 'leaf'] }, ctx);
    markFinished(queue, second, 'success', 0);
    const first = selectNext(queue);
    assert.ok(first !== null);
    markDispatching(queue, first, 0);
    enqueueWatcher(queue, { ...master, portsRevision: 'ccccccc' }, ctx);
    enqueueWatcher(queue, { ...master, portsRevision: 'ddddddd' }, ctx);
    assert.equal(findPreemptable(queue), undefined, policy);
    assert.equal(queue.watchers.length, 2, policy);
    markFinished(queue, first, 'success', 0);
    const ran = [`${first.port ?? '-'}@${first.portsRevision}`, ...drain(queue, ctx)];
    assert.deepEqual(ran.filter((r) => !r.startsWith('watcher')), ['git@aaaaaaa', 'zlib@aaaaaaa', 'zlib@bbbbbbb', 'leaf@bbbbbbb'], policy);
  }
});

test('a builder put back after a preemption or a lost runner can be cancelled again when the next watcher comes', () => {
  for (const put of ['preempted', 'lost'] as const) {
    const queue = makeQueue();
    const ctx = counterContext();
    commit(queue, ctx, 'aaaaaaa', ['leaf']);
    const leaf = selectNext(queue);
    assert.ok(leaf !== null);
    markDispatching(queue, leaf, 0);
    requestCancel(leaf);
    const { entry: again } = put === 'preempted' ? requeuePreempted(queue, leaf, ctx) : requeueLost(queue, leaf, 'failure', ctx);
    markDispatching(queue, again, 1);
    enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
    assert.equal(findPreemptable(queue), again, put);
    assert.deepEqual(requestCancel(again), [{ op: 'cancel-requested', buildId: again.buildId }], put);
  }
});
