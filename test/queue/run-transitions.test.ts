import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markDispatched, markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { newestRevision } from '../../controller/queue/core/newest-revision.ts';
import { findPreemptable, requestCancel } from '../../controller/queue/core/preempt-builder.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, makeQueue } from './queue-helpers.ts';

const master = { changedPorts: null, force: false, prNumber: null } as const;

test('each run transition happens once: a repeated or out-of-order event changes nothing (webhooks come at least once)', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  const { entry } = enqueueWatcher(queue, { ...master, portsRevision: 'aaaaaaa' }, ctx);
  assert.deepEqual(markDispatched(entry, 1000), [], 'a pending build has no run');
  assert.deepEqual(markStarted(entry, 5), [], 'nor can it start');
  assert.deepEqual(markFinished(queue, entry, 'success', 5), [], 'nor finish');
  markDispatching(queue, entry, 10);
  assert.equal(entry.dispatchedAt, 10, 'reconcile looks for its run from then on');
  assert.throws(() => markDispatching(queue, entry, 11), { message: `build ${entry.buildId} is dispatched, not pending; only a pending build is dispatched` });
  assert.deepEqual(markDispatched(entry, 1000), [{ op: 'dispatched', buildId: entry.buildId, runId: 1000 }]);
  assert.deepEqual(markDispatched(entry, 1001), [], 'the first run id stays');
  assert.equal(entry.runId, 1000);
  assert.deepEqual(markStarted(entry, 20), [{ op: 'started', buildId: entry.buildId, at: 20 }]);
  assert.deepEqual(markStarted(entry, 30), []);
  assert.deepEqual([entry.state, entry.startedAt], ['started', 20]);
  assert.deepEqual(markFinished(queue, entry, 'success', 40), [{ op: 'finished', buildId: entry.buildId, result: 'success', at: 40 }]);
  assert.equal(entry.state, 'finished');
  assert.deepEqual(markFinished(queue, entry, 'failure', 50), [], 'a repeat finish is not a second result');
  assert.deepEqual(markStarted(entry, 60), [], 'a late in_progress does not revive a finished build');
  assert.deepEqual([queue.inFlight.length, queue.entries.has(entry.buildId)], [0, false]);
});

test('a runner taking a builder whose cancel was asked for clears the cancel: it is never preempted afterwards', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf']);
  const builder = selectNext(queue);
  assert.ok(builder !== null);
  markDispatching(queue, builder, 0);
  enqueueWatcher(queue, { ...master, portsRevision: 'bbbbbbb' }, ctx);
  assert.equal(findPreemptable(queue), builder);
  assert.equal(requestCancel(builder).length, 1);
  assert.deepEqual(requestCancel(builder), [], 'asked once');
  markStarted(builder, 7);
  assert.equal(builder.cancelRequested, false);
  assert.equal(findPreemptable(queue), undefined);
});

test('the newest revision follows the chain of pushes; a chain longer than the limit, or a cycle, answers the revision itself after one visit each', () => {
  const chain = new Map([['a', 'b'], ['b', 'c']]);
  const calls: string[] = [];
  const next = (revision: string): string | undefined => {
    calls.push(revision);
    return chain.get(revision);
  };
  assert.equal(newestRevision('a', next), 'c');
  assert.equal(newestRevision('a', next, 3), 'c', 'three steps reach the end of a two-push chain');
  assert.equal(newestRevision('a', next, 2), 'a', 'two steps do not: order unknown');
  const cycle = new Map([['a', 'b'], ['b', 'c'], ['c', 'b']]);
  calls.length = 0;
  assert.equal(newestRevision('a', (r) => (calls.push(r), cycle.get(r))), 'a');
  assert.deepEqual(calls, ['a', 'b', 'c'], 'each revision looked up once');
});
