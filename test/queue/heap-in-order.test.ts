import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { createEntryHeap, heapPeek, heapPush, type EntryHeap } from '../../controller/queue/core/entry-heap.ts';
import { firstInOrder, heapInOrder } from '../../controller/queue/core/heap-in-order.ts';
import { pendingEntry } from '../../controller/queue/core/pending-entry.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';

function builder(n: number): QueueEntry {
  return pendingEntry({
    buildId: `b${String(n)}`, platform: '15_arm64', kind: 'builder', port: `p${String(n)}`, portsRevision: 'aaaaaaa', seq: 1,
    enqueuedAt: 0, changedPorts: null, force: false, prNumber: null, origin: null, listIndex: n, rank: 0, builderClass: 0,
  });
}

/** What popping gives: the heap's own order, read destructively from a copy. */
function popped(heap: EntryHeap): string[] {
  const copy: EntryHeap = { items: heap.items.slice(), live: new Map(heap.live), stamps: heap.stamps };
  const out: string[] = [];
  for (let top = heapPeek(copy); top !== undefined; top = heapPeek(copy)) {
    out.push(top.buildId);
    copy.live.delete(top.buildId);
  }
  return out;
}

test('the heap read in place gives its live entries in the order popping gives, each once, and leaves it as it was', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = seededRandom(seed);
    const heap = createEntryHeap();
    const entries = Array.from({ length: 300 }, (_, n) => builder(n));
    // Unique keys (a list gives each port its own index), pushed in a random order.
    for (const e of entries.toSorted(() => random() - 0.5)) heapPush(heap, e, [Math.floor(random() * 4), e.listIndex]);
    for (let i = 0; i < 60; i++) {
      const e = entries[Math.floor(random() * entries.length)];
      // Pushed again with a smaller key (a rebuild builder promoted) or a larger one: the old item goes stale.
      if (e !== undefined) heapPush(heap, e, [random() < 0.5 ? -1 : 9, e.listIndex]);
    }
    for (let i = 0; i < 40; i++) heap.live.delete(`b${String(Math.floor(random() * 300))}`);
    const items = heap.items.slice();
    const read = [...heapInOrder(heap)].map((e) => e.buildId);
    assert.deepEqual(read, popped(heap), `seed ${String(seed)}`);
    assert.equal(new Set(read).size, heap.live.size, `seed ${String(seed)}: every live entry once`);
    assert.deepEqual(heap.items, items, `seed ${String(seed)}: the heap is untouched`);
    const skip = new Set(read.slice(0, 7));
    assert.equal(firstInOrder(heap, skip)?.buildId, read[7], `seed ${String(seed)}: the first not skipped`);
  }
  assert.deepEqual([...heapInOrder(createEntryHeap())], []);
  assert.equal(firstInOrder(createEntryHeap(), new Set()), undefined);
});

test('reading the first few entries of a 41,548-entry heap looks at a few dozen items, not the whole heap', () => {
  const heap = createEntryHeap();
  for (let n = 0; n < 41_548; n++) heapPush(heap, builder(n), [(n * 7919) % 41_548]);
  let looked = 0;
  heap.items = new Proxy(heap.items, {
    get(target, property, receiver): unknown {
      if (typeof property === 'string' && /^\d+$/.test(property)) looked += 1;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  const first = [];
  for (const entry of heapInOrder(heap)) {
    first.push(entry.buildId);
    if (first.length === 5) break;
  }
  assert.equal(first.length, 5);
  assert.ok(looked < 200, `looked at ${String(looked)} items of ${String(heap.items.length)}`);
});
