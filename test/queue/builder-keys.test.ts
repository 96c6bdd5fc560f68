import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { findPreemptable, requestCancel, requeuePreempted } from '../../controller/queue/core/preempt-builder.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, drain, makeQueue, runToEnd } from './queue-helpers.ts';

const master = { changedPorts: null, force: false, prNumber: null } as const;

test('a builder put back at the head of the line goes before everything else, even commit builders of a newer list', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf'], true);
  const leaf = selectNext(queue);
  assert.equal(leaf?.port, 'leaf');
  markDispatching(queue, leaf, 0);
  const { entry: watcher } = enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb', changedPorts: ['zlib'] }, ctx);
  assert.equal(findPreemptable(queue), leaf);
  requestCancel(leaf);
  requeuePreempted(queue, leaf, ctx);
  assert.equal(selectNext(queue), watcher);
  runToEnd(queue, watcher, ctx, () => enqueueBuilders(queue, { origin: watcher, portsRevision: 'bbbbbbb', ports: ['zlib'] }, ctx));
  assert.deepEqual(drain(queue, ctx), ['leaf@aaaaaaa', 'zlib@bbbbbbb']);
});

test('pending builders coalesce by port name in any case, and only within one tree: two PRs each build their own', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  for (const [pr, rev] of [[7, '7777777'], [8, '8888888']] as const) {
    const { entry } = enqueueWatcher(queue, { portsRevision: rev, changedPorts: ['leaf'], force: false, prNumber: pr }, ctx);
    assert.equal(selectNext(queue), entry);
    runToEnd(queue, entry, ctx, () => enqueueBuilders(queue, { origin: entry, portsRevision: rev, ports: ['leaf'] }, ctx));
  }
  commit(queue, ctx, 'aaaaaaa', ['Leaf']);
  commit(queue, ctx, 'bbbbbbb', ['leaf']);
  assert.deepEqual(drain(queue, ctx).toSorted(), ['Leaf@bbbbbbb', 'leaf@7777777', 'leaf@8888888']);
});

test('a later forced rebuild never demotes a pending commit builder: it stays ahead of the older rebuild', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['zlib', 'leaf'], true);
  commit(queue, ctx, 'bbbbbbb', ['python']);
  commit(queue, ctx, 'ccccccc', ['python', 'zlib'], true);
  assert.deepEqual(drain(queue, ctx), ['python@ccccccc', 'zlib@ccccccc', 'leaf@aaaaaaa']);
});
