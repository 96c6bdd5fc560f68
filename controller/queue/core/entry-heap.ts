import type { QueueEntry } from './queue-entry.ts';

export type EntryKey = readonly number[];

export interface HeapItem {
  readonly key: EntryKey;
  readonly entry: QueueEntry;
  readonly stamp: number;
}

/**
 * A binary min-heap of pending builders by sort key. Entries whose key changes are pushed
 * again with a new stamp; stale items are dropped when they reach the top, so both
 * coalescing and `next()` stay O(log n) at a 40k-port rebuild.
 */
export interface EntryHeap {
  items: HeapItem[];
  /** buildId → stamp of its live item; absent when the entry left the heap. */
  readonly live: Map<string, number>;
  stamps: number;
}

export function createEntryHeap(): EntryHeap {
  return { items: [], live: new Map(), stamps: 0 };
}

export function compareKeys(a: EntryKey, b: EntryKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function heapPush(heap: EntryHeap, entry: QueueEntry, key: EntryKey): void {
  const stamp = ++heap.stamps;
  heap.live.set(entry.buildId, stamp);
  const items = heap.items;
  items.push({ key, entry, stamp });
  let i = items.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = items[parent];
    const c = items[i];
    if (p === undefined || c === undefined || compareKeys(p.key, c.key) <= 0) break;
    items[parent] = c;
    items[i] = p;
    i = parent;
  }
}

export function heapSize(heap: EntryHeap): number {
  return heap.live.size;
}

/** The live item with the smallest key, dropping stale items on the way. */
export function heapPeek(heap: EntryHeap): QueueEntry | undefined {
  for (;;) {
    const top = heap.items[0];
    if (top === undefined) return undefined;
    if (heap.live.get(top.entry.buildId) === top.stamp) return top.entry;
    popTop(heap);
  }
}

function popTop(heap: EntryHeap): void {
  const items = heap.items;
  const last = items.pop();
  if (last === undefined || items.length === 0) return;
  items[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    const im = items[m];
    const il = items[l];
    const ir = items[r];
    if (il !== undefined && im !== undefined && compareKeys(il.key, im.key) < 0) m = l;
    const cur = items[m];
    if (ir !== undefined && cur !== undefined && compareKeys(ir.key, cur.key) < 0) m = r;
    if (m === i) return;
    const a = items[i];
    const b = items[m];
    if (a === undefined || b === undefined) return;
    items[i] = b;
    items[m] = a;
    i = m;
  }
}
