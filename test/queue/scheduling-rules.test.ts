import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPortsGraph } from '../../controller/ports/create-ports-graph.ts';
import { countPending } from '../../controller/queue/core/count-pending.ts';
import { describeQueue } from '../../controller/queue/core/describe-queue.ts';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markStarted } from '../../controller/queue/core/mark-run.ts';
import { findPreemptable, requeuePreempted } from '../../controller/queue/core/preempt-builder.ts';
import { requeueLost } from '../../controller/queue/core/requeue-lost.ts';
import { previewNext, selectNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, drain, makeQueue, port, runToEnd, SMALL_GRAPH } from './queue-helpers.ts';

const master = { changedPorts: null, force: false, prNumber: null } as const;

test('the oldest pending watcher goes before any pending builder', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'leaf']);
  const { entry: watcher } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(selectNext(queue), watcher);
  assert.deepEqual(
    previewNext(queue, 5).map((e) => `${e.kind}:${e.port ?? '-'}`),
    ['watcher:-', 'builder:git', 'builder:leaf'],
  );
});

test('consecutive pending watchers coalesce: newest revision, union of ports, force if either forces', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const first = enqueueWatcher(queue, { ...master, portsRevision: 'aaaaaaa', changedPorts: ['curl'] }, ctx);
  const second = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['git', 'curl'] }, ctx);
  assert.equal(second.entry, first.entry);
  assert.deepEqual(second.changes, [{ op: 'coalesce', buildId: 'b1', portsRevision: 'bbbbbbb', changedPorts: ['curl', 'git'], force: false, builderClass: 0 }]);
  assert.equal(queue.watchers.length, 1);
  enqueueWatcher(queue, { ...master, portsRevision: 'ccccccc', changedPorts: ['leaf'], force: true }, ctx);
  assert.equal(first.entry.force, true);
  assert.equal(first.entry.changedPorts, null);
  assert.equal(first.entry.portsRevision, 'ccccccc');
});

test('a watcher arriving while another is dispatched waits as a new watcher', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const first = enqueueWatcher(queue, { ...master, portsRevision: 'aaaaaaa' }, ctx).entry;
  markDispatching(queue, first, 0);
  const second = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx).entry;
  assert.notEqual(second, first);
  assert.equal(first.portsRevision, 'aaaaaaa');
  assert.equal(selectNext(queue), null, 'one run in flight per platform');
});

test('a newer list supersedes a pending builder of the same port: one build at the newest revision', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'leaf']);
  commit(queue, ctx, 'bbbbbbb', ['leaf']);
  assert.deepEqual(drain(queue, ctx), ['curl@aaaaaaa', 'leaf@bbbbbbb']);
});

test('without coalescing (proposed) the superseded builder still runs', () => {
  const queue = makeQueue('proposed');
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'leaf']);
  commit(queue, ctx, 'bbbbbbb', ['leaf']);
  assert.deepEqual(drain(queue, ctx), ['curl@aaaaaaa', 'leaf@aaaaaaa', 'leaf@bbbbbbb']);
});

test('a forced rebuild does not duplicate a queued build and keeps it in the commit class', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  commit(queue, ctx, 'bbbbbbb', ['zlib', 'openssl', 'curl', 'git', 'leaf'], true);
  assert.deepEqual(countPending(queue), { watchers: 0, builders: 5, pr: 0, estimatedFromWatchers: 0 });
  assert.deepEqual(drain(queue, ctx), ['leaf@bbbbbbb', 'zlib@bbbbbbb', 'openssl@bbbbbbb', 'curl@bbbbbbb', 'git@bbbbbbb']);
});

test('builders go in dependency order whatever order the list gives; the list breaks ties', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'leaf', 'curl', 'zlib', 'openssl']);
  assert.deepEqual(drain(queue, ctx), ['zlib@aaaaaaa', 'openssl@aaaaaaa', 'curl@aaaaaaa', 'git@aaaaaaa', 'leaf@aaaaaaa']);
});

test('ports the graph does not know keep their place after the port listed before them', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['curl', 'newport', 'zlib']);
  assert.deepEqual(drain(queue, ctx), ['zlib@aaaaaaa', 'curl@aaaaaaa', 'newport@aaaaaaa']);
});

test('a cycle is broken in name order, the same way every time, whether or not another list is pending', () => {
  for (const ports of [['b', 'a'], ['a', 'b']]) {
    const queue = makeQueue();
    const ctx = counterContext();
    commit(queue, ctx, 'aaaaaaa', ports);
    assert.deepEqual(drain(queue, ctx), ['a@aaaaaaa', 'b@aaaaaaa']);
    // With a second list pending selectNext walks the dependencies, which a cycle runs both ways.
    commit(queue, ctx, 'bbbbbbb', ports);
    commit(queue, ctx, 'ccccccc', ['leaf']);
    assert.deepEqual(drain(queue, ctx), ['a@bbbbbbb', 'b@bbbbbbb', 'leaf@ccccccc']);
  }
});

test('commit builders go ahead of a forced rebuild; a dependency still queued in the rebuild is pulled forward', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'zlib', 'openssl', 'curl', 'python', 'py312'], true);
  commit(queue, ctx, 'bbbbbbb', ['git']);
  assert.deepEqual(drain(queue, ctx), [
    'zlib@aaaaaaa',
    'openssl@aaaaaaa',
    'curl@aaaaaaa',
    'git@bbbbbbb',
    'leaf@aaaaaaa',
    'py312@aaaaaaa',
    'python@aaaaaaa',
  ]);
});

test('a watcher preempts a dispatched builder that has not started; it goes back to the head under a new id', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'git']);
  const builder = selectNext(queue);
  assert.ok(builder !== null);
  assert.equal(builder.port, 'git');
  markDispatching(queue, builder, 0);
  assert.equal(findPreemptable(queue), undefined, 'no watcher waits: nothing to cancel');
  const { entry: watcher } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(findPreemptable(queue), builder);
  const { entry: requeued, changes } = requeuePreempted(queue, builder, ctx);
  assert.deepEqual(
    changes.map((c) => c.op),
    ['finished', 'insert'],
  );
  assert.notEqual(requeued.buildId, builder.buildId);
  assert.equal(requeued.head, true);
  assert.deepEqual(
    previewNext(queue, 3).map((e) => e.buildId),
    [watcher.buildId, requeued.buildId, queue.builders.items.find((i) => i.entry.port === 'leaf')?.entry.buildId],
  );
});

test('a started builder is never preempted', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  const builder = selectNext(queue);
  if (builder === null) throw new Error('expected a builder');
  markDispatching(queue, builder, 0);
  markStarted(builder, 1);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(findPreemptable(queue), undefined);
});

test('PR builds get one run in five while master builders wait, and never coalesce with master', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'openssl', 'curl', 'git', 'leaf', 'python', 'py312']);
  const pr = enqueueWatcher(queue, { portsRevision: 'ccccccc', changedPorts: ['leaf'], force: false, prNumber: 42 }, ctx).entry;
  const order: string[] = [];
  for (let next = selectNext(queue); next !== null; next = selectNext(queue)) {
    order.push(`${next.kind}:${next.port ?? '-'}`);
    runToEnd(queue, next, ctx, next === pr ? () => enqueueBuilders(queue, { origin: pr, portsRevision: 'ccccccc', ports: ['leaf'] }, ctx) : undefined);
  }
  assert.deepEqual(order, [
    'builder:zlib',
    'builder:openssl',
    'builder:curl',
    'builder:git',
    'pr-watcher:-',
    'builder:leaf',
    'builder:py312',
    'builder:python',
    'pr-builder:leaf',
  ]);
});

test('legacy: builders FIFO by watcher and list order; a watcher waits until earlier builders finished', () => {
  const queue = makeQueue('legacy');
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'zlib']);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.deepEqual(drain(queue, ctx), ['git@aaaaaaa', 'zlib@aaaaaaa', 'watcher@bbbbbbb']);
});

test('the pending count is exact; pending watchers add an estimate of their ports and subports not already queued', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'zlib']);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['python', 'git'] }, ctx);
  enqueueWatcher(queue, { portsRevision: 'ccccccc', changedPorts: ['leaf'], force: false, prNumber: 7 }, ctx);
  assert.deepEqual(countPending(queue), { watchers: 1, builders: 2, pr: 1, estimatedFromWatchers: 3 });
});

test('two master watchers pending at once (a requeued lost watcher and a newer one): the older goes first, ahead of waiting builders', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  const { entry: lost } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['curl'] }, ctx);
  assert.equal(selectNext(queue), lost);
  markDispatching(queue, lost, 0);
  const { entry: newer } = enqueueWatcher(queue, { ...master, portsRevision: 'ccccccc', changedPorts: ['git'] }, ctx);
  // Its runner went with its host before the list came: queued again under its old place (seq).
  const { entry: requeued } = requeueLost(queue, lost, 'failure', ctx);
  assert.deepEqual(queue.watchers.map((w) => w.buildId), [requeued.buildId, newer.buildId]);
  assert.equal(selectNext(queue), requeued);
  assert.deepEqual(
    previewNext(queue, 3).map((e) => e.buildId),
    [requeued.buildId, newer.buildId, queue.builders.items[0]?.entry.buildId],
  );
});

test('a push coalesced into a pending forced watcher leaves it forced, with its ports unknown (the full rebuild stays)', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const forced = enqueueWatcher(queue, { ...master, portsRevision: 'aaaaaaa', force: true }, ctx).entry;
  const push = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['leaf'] }, ctx);
  assert.equal(push.entry, forced);
  assert.deepEqual(push.changes, [{ op: 'coalesce', buildId: forced.buildId, portsRevision: 'bbbbbbb', changedPorts: null, force: true, builderClass: 0 }]);
  assert.equal(forced.force, true);
  assert.equal(forced.changedPorts, null);
});

test('a commit listing a port of a pending forced rebuild promotes it: it drains before the rest of the rebuild', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'openssl', 'leaf'], true);
  commit(queue, ctx, 'bbbbbbb', ['leaf']);
  assert.deepEqual(drain(queue, ctx), ['leaf@bbbbbbb', 'zlib@aaaaaaa', 'openssl@aaaaaaa']);
});

test('the dependency pull-forward finds a mixed-case port (GraphicsMagick) in the graph: its dependency from a newer list runs first', () => {
  const graph = createPortsGraph([port('GraphicsMagick', ['jpeg']), port('jpeg'), port('leaf')]);
  const queue = makeQueue('portfarm', graph);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['GraphicsMagick']);
  commit(queue, ctx, 'bbbbbbb', ['jpeg']);
  assert.deepEqual(drain(queue, ctx), ['jpeg@bbbbbbb', 'GraphicsMagick@aaaaaaa']);
});

test('a pending forced watcher is estimated at every port in the graph less the builders already queued', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'zlib']);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb', force: true }, ctx);
  const total = SMALL_GRAPH.names.length;
  assert.ok(total > 2);
  assert.deepEqual(countPending(queue), { watchers: 1, builders: 2, pr: 0, estimatedFromWatchers: total - 2 });
});

test('coalescing keeps one watcher per tree: another PR, or any push under a policy without coalescing, waits as its own watcher', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const pr7 = enqueueWatcher(queue, { portsRevision: 'aaaaaaa', changedPorts: ['leaf'], force: false, prNumber: 7 }, ctx).entry;
  const pr8 = enqueueWatcher(queue, { portsRevision: 'bbbbbbb', changedPorts: ['curl'], force: false, prNumber: 8 }, ctx).entry;
  assert.notEqual(pr8, pr7);
  assert.deepEqual(queue.prWatchers.map((w) => [w.prNumber, w.portsRevision, w.changedPorts]), [[7, 'aaaaaaa', ['leaf']], [8, 'bbbbbbb', ['curl']]]);
  const proposed = makeQueue('proposed');
  enqueueWatcher(proposed, { ...master, portsRevision: 'aaaaaaa' }, ctx);
  enqueueWatcher(proposed, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.deepEqual(proposed.watchers.map((w) => w.portsRevision), ['aaaaaaa', 'bbbbbbb']);
});

test('a forced watcher lists every port: the ports its push named are dropped; a coalesced union names each port once, in any case', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  assert.equal(enqueueWatcher(queue, { ...master, portsRevision: 'aaaaaaa', changedPorts: ['leaf'], force: true }, ctx).entry.changedPorts, null);
  const other = makeQueue();
  const { entry } = enqueueWatcher(other, { ...master, portsRevision: 'aaaaaaa', changedPorts: ['GraphicsMagick'] }, ctx);
  enqueueWatcher(other, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['graphicsmagick', 'GraphicsMagick', 'Jpeg', 'JPEG'] }, ctx);
  assert.deepEqual(entry.changedPorts, ['GraphicsMagick', 'Jpeg']);
});

test('a list that coalesces into a pending builder records the newer revision (and nothing else) for the store; new builders are never forced', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  const { entry: watcher } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  runToEnd(queue, watcher, ctx, () => {
    const { added, coalesced, changes } = enqueueBuilders(queue, { origin: watcher, portsRevision: 'bbbbbbb', ports: ['leaf', 'zlib'] }, ctx);
    assert.deepEqual(coalesced.map((e) => e.port), ['leaf']);
    assert.deepEqual(added.map((e) => [e.port, e.force, e.builderClass]), [['zlib', false, 0]]);
    assert.deepEqual(changes.map((c) => (c.op === 'insert' ? `insert ${c.entry.port ?? '-'}` : c)), [
      { op: 'coalesce', buildId: coalesced[0]?.buildId, portsRevision: 'bbbbbbb', changedPorts: null, force: false, builderClass: 0 },
      'insert zlib',
      { op: 'list-accepted', buildId: watcher.buildId },
    ]);
  });
  const forced = makeQueue();
  commit(forced, ctx, 'ccccccc', ['zlib', 'leaf'], true);
  assert.deepEqual(forced.builders.items.map((i) => [i.entry.port, i.entry.force, i.entry.builderClass]).toSorted(), [['leaf', false, 1], ['zlib', false, 1]]);
});

test('a list ranks mixed-case ports by the graph (GraphicsMagick after its dependency jpeg, whatever the list order)', () => {
  const graph = createPortsGraph([port('GraphicsMagick', ['jpeg']), port('jpeg')]);
  const queue = makeQueue('portfarm', graph);
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['GraphicsMagick', 'jpeg']);
  assert.deepEqual(drain(queue, ctx), ['jpeg@aaaaaaa', 'GraphicsMagick@aaaaaaa']);
});

test('the estimate without a graph counts the named ports; without coalescing a port named by two watchers counts once', () => {
  const ctx = counterContext();
  const bare = makeQueue('portfarm', null);
  enqueueWatcher(bare, { ...master, portsRevision: 'aaaaaaa', changedPorts: ['curl', 'python'] }, ctx);
  assert.equal(countPending(bare).estimatedFromWatchers, 2);
  const proposed = makeQueue('proposed');
  enqueueWatcher(proposed, { ...master, portsRevision: 'aaaaaaa', changedPorts: ['curl'] }, ctx);
  enqueueWatcher(proposed, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['curl', 'leaf'] }, ctx);
  assert.deepEqual(countPending(proposed), { watchers: 2, builders: 0, pr: 0, estimatedFromWatchers: 2 });
});

test('the status names the run in flight and how long the oldest pending build has waited (in-flight builds not counted)', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const { entry: running } = enqueueWatcher(queue, { ...master, portsRevision: 'aaaaaaa' }, ctx);
  markDispatching(queue, running, 0);
  markStarted(running, 1_000);
  const waiting = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, { ...ctx, now: 20_000 }).entry;
  const pr = enqueueWatcher(queue, { portsRevision: 'ccccccc', changedPorts: ['leaf'], force: false, prNumber: 3 }, { ...ctx, now: 40_000 }).entry;
  const status = describeQueue(queue, 80_000);
  assert.deepEqual(status, {
    platform: '15_arm64',
    running: { buildId: running.buildId, kind: 'watcher', port: null, portsRevision: 'aaaaaaa', state: 'started', enqueuedAt: '1970-01-01T00:00:00.000Z' },
    pending: { watchers: 1, builders: 0, pr: 1, estimatedFromWatchers: 0 },
    next: [
      { buildId: waiting.buildId, kind: 'watcher', port: null, portsRevision: 'bbbbbbb', state: 'pending', enqueuedAt: '1970-01-01T00:00:20.000Z' },
      { buildId: pr.buildId, kind: 'pr-watcher', port: null, portsRevision: 'ccccccc', state: 'pending', enqueuedAt: '1970-01-01T00:00:40.000Z' },
    ],
    oldestWaitSeconds: 60,
    lanes: 1,
    inFlight: 1,
    blocked: { total: 0, byPort: [] },
    waiting: [],
  });
  assert.equal(describeQueue(makeQueue(), 80_000).oldestWaitSeconds, null, 'nothing pending');
});
