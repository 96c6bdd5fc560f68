import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEntryHeap, heapPeek, heapPush, heapSize } from '../../controller/queue/core/entry-heap.ts';
import { pendingEntry } from '../../controller/queue/core/pending-entry.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { previewNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, drain, makeQueue } from './queue-helpers.ts';

function builder(n: number): QueueEntry {
  return pendingEntry({
    buildId: `b${String(n)}`, platform: '15_arm64', kind: 'builder', port: `p${String(n)}`, portsRevision: 'aaaaaaa', seq: 1,
    enqueuedAt: 0, changedPorts: null, force: false, prNumber: null, origin: null, listIndex: n, rank: 0, builderClass: 0,
  });
}

/** Takes the top off the way the queue does: the entry leaves `live`, its stale item is dropped on the next peek. */
function drainHeap(heap: ReturnType<typeof createEntryHeap>): string[] {
  const out: string[] = [];
  for (let top = heapPeek(heap); top !== undefined; top = heapPeek(heap)) {
    out.push(top.buildId);
    heap.live.delete(top.buildId);
  }
  return out;
}

test('the heap gives 200 builders back in key order whatever order they were pushed in', () => {
  const heap = createEntryHeap();
  // A fixed permutation of 0..199 (multiplying by 7919, a prime, modulo 200 is a bijection).
  const order = Array.from({ length: 200 }, (_, i) => (i * 7919 + 13) % 200);
  for (const n of order) heapPush(heap, builder(n), [1, 0, 1, n % 17, n]);
  assert.equal(heapSize(heap), 200);
  const expected = order.toSorted((a, b) => a % 17 - b % 17 || a - b).map((n) => `b${String(n)}`);
  assert.deepEqual(drainHeap(heap), expected);
});

test('an entry pushed again with a new key is found at its new place, once; the stale item is skipped', () => {
  const heap = createEntryHeap();
  const entries = [0, 1, 2, 3, 4].map(builder);
  for (const [i, e] of entries.entries()) heapPush(heap, e, [1, i]);
  const last = entries[4];
  assert.ok(last !== undefined);
  heapPush(heap, last, [0, 0]);
  assert.equal(heapSize(heap), 5);
  assert.deepEqual(drainHeap(heap), ['b4', 'b0', 'b1', 'b2', 'b3']);
});

test('a preview of the next builds leaves every one of them queued', () => {
  const queued = (): ReturnType<typeof makeQueue> => {
    const queue = makeQueue();
    commit(queue, counterContext(), 'aaaaaaa', ['leaf', 'zlib', 'python', 'git']);
    return queue;
  };
  const untouched = drain(queued(), counterContext());
  assert.equal(untouched.length, 4);
  const queue = queued();
  assert.deepEqual(previewNext(queue, 3).map((e) => `${e.port ?? '-'}@${e.portsRevision}`), untouched.slice(0, 3));
  assert.equal(previewNext(queue, 10).length, 4);
  assert.deepEqual(drain(queue, counterContext()), untouched);
});
