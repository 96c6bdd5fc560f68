import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DurationEstimate } from '../../controller/eta/duration-estimate.ts';
import { projectQueue, type ProjectionInput } from '../../controller/eta/project-queue.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markStarted } from '../../controller/queue/core/mark-run.ts';
import type { PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { commit, counterContext, drain, makeQueue } from '../queue/queue-helpers.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 3, 12);
const master = { changedPorts: null, force: false, prNumber: null } as const;

/** Exact durations (no spread) so that starts and finishes are plain sums. */
function exact(minutes: Record<string, number>): (entry: QueueEntry) => DurationEstimate | undefined {
  return (entry) => {
    const m = minutes[entry.port ?? 'watcher'];
    return m === undefined ? undefined : { median: m * MIN, sigma: 0, source: 'port', samples: 1, shared: 0 };
  };
}

function project(queue: PlatformQueue, minutes: Record<string, number>, extra: Partial<ProjectionInput> = {}) {
  return projectQueue({ queue, now: NOW, duration: exact(minutes), pushesPerMs: 0, watcher: undefined, ...extra });
}

/** A queue where a newer list holds a dependency of the older list's first port: the core pulls it forward. */
function twoLists(): PlatformQueue {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'leaf']);
  commit(queue, ctx, 'bbbbbbb', ['curl', 'python']);
  enqueueWatcher(queue, { ...master, portsRevision: 'ccccccc', changedPorts: ['zlib'] }, ctx);
  return queue;
}

test('the projected order is the order the core really takes: watcher first, a dependency from a newer list pulled forward', () => {
  const queue = twoLists();
  const projected = project(queue, { watcher: 3, git: 10, leaf: 5, curl: 20, python: 7 });
  const order = projected.filter((p) => p.position > 0).sort((a, b) => a.position - b.position).map((p) => p.port ?? p.kind);
  const real = drain(queue, counterContext()).map((r) => r.split('@')[0]);
  assert.deepEqual(order, real);
  assert.deepEqual(order, ['watcher', 'curl', 'git', 'leaf', 'python']);
});

test('starts and finishes add up the runs ahead; the queue itself is left as it was', () => {
  const queue = twoLists();
  const before = JSON.stringify([...queue.entries.values()]);
  const next = selectNext(queue);
  const byPort = new Map(project(queue, { watcher: 3, git: 10, leaf: 5, curl: 20, python: 7 }).map((p) => [p.port ?? p.kind, p]));
  assert.equal(JSON.stringify([...queue.entries.values()]), before);
  assert.equal(selectNext(queue), next);
  const at = (port: string) => [((byPort.get(port)?.start?.mid ?? 0) - NOW) / MIN, ((byPort.get(port)?.finish?.mid ?? 0) - NOW) / MIN];
  assert.deepEqual(at('watcher'), [0, 3]);
  assert.deepEqual(at('curl'), [3, 23]);
  assert.deepEqual(at('git'), [23, 33]);
  assert.deepEqual(at('python'), [38, 45]);
  assert.equal(byPort.get('python')?.position, 5);
});

test('a run in flight holds the platform for what is left of it', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'leaf']);
  const git = selectNext(queue);
  assert.ok(git !== null && git.port === 'git');
  markDispatching(queue, git, NOW - 4 * MIN);
  markStarted(git, NOW - 3 * MIN);
  const byPort = new Map(project(queue, { git: 10, leaf: 5 }).map((p) => [p.port, p]));
  assert.equal(byPort.get('git')?.position, 0);
  assert.equal(byPort.get('git')?.finish?.mid, NOW + 6 * MIN);
  assert.equal(byPort.get('leaf')?.start?.mid, NOW + 6 * MIN);
  assert.equal(byPort.get('leaf')?.finish?.mid, NOW + 11 * MIN);
});

test('nothing to estimate a run from: it and every run after it on its lane are unknown; those before are not', () => {
  const queue = twoLists();
  const byPort = new Map(project(queue, { watcher: 3, curl: 20, git: 10, python: 7 }).map((p) => [p.port ?? p.kind, p]));
  assert.equal(byPort.get('git')?.finish?.mid, NOW + 33 * MIN);
  for (const port of ['leaf', 'python']) {
    assert.equal(byPort.get(port)?.finish, null, port);
    assert.equal(byPort.get(port)?.unknown, 'no-history', port);
  }
  assert.equal(byPort.get('leaf')?.position, 4, 'its place in line is known all the same');
});

test('K lanes: runs start as lanes free up, each after the earliest finish', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['leaf', 'python', 'py312', 'py313']);
  // Today's core dispatches one run at a time; a select that ignores the run in flight stands for a core with lanes.
  const runs = project(queue, { leaf: 10, py312: 4, py313: 3, python: 3 }, { lanes: 2, select: (q) => selectNext(q, new Set()) });
  const inOrder = runs.sort((x, y) => x.position - y.position);
  assert.deepEqual(inOrder.map((r) => r.port), ['leaf', 'py312', 'py313', 'python']);
  // leaf 0–10 and py312 0–4 side by side; py313 takes py312's lane at 4 (to 7), python the same lane at 7.
  assert.deepEqual(inOrder.map((r) => ((r.start?.mid ?? -1) - NOW) / MIN), [0, 0, 4, 7]);
  assert.deepEqual(inOrder.map((r) => ((r.finish?.mid ?? -1) - NOW) / MIN), [10, 4, 7, 10]);
  // With one lane the same runs follow one another.
  const one = project(queue, { leaf: 10, py312: 4, py313: 3, python: 3 }).sort((x, y) => x.position - y.position);
  assert.deepEqual(one.map((r) => ((r.start?.mid ?? -1) - NOW) / MIN), [0, 10, 14, 17]);
});

test('runs the core never chooses (a blocked port) are unknown, with that reason; a limit leaves the rest unknown', () => {
  const queue = twoLists();
  const blocked = (q: PlatformQueue) => {
    const next = selectNext(q);
    return next?.port === 'leaf' ? null : next;
  };
  const byPort = new Map(project(queue, { watcher: 3, git: 10, leaf: 5, curl: 20, python: 7 }, { select: blocked }).map((p) => [p.port ?? p.kind, p]));
  assert.equal(byPort.get('leaf')?.unknown, 'not-selected');
  assert.equal(byPort.get('leaf')?.finish, null);
  const limited = new Map(project(queue, { watcher: 3, git: 10, leaf: 5, curl: 20, python: 7 }, { limit: 2 }).map((p) => [p.port ?? p.kind, p]));
  assert.equal(limited.get('curl')?.finish?.mid, NOW + 23 * MIN);
  assert.equal(limited.get('git')?.unknown, 'beyond-limit');
});

test('watchers expected from the recent push rate go ahead of the builders, pushing their finish later and widening the range', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'leaf', 'curl', 'zlib', 'openssl']);
  const minutes = { git: 30, leaf: 30, curl: 30, zlib: 30, openssl: 30 };
  const watcher: DurationEstimate = { median: 5 * MIN, sigma: 0.2, source: 'watcher', samples: 4, shared: 0 };
  const calm = project(queue, minutes, { watcher });
  const busy = project(queue, minutes, { watcher, pushesPerMs: 1 / (30 * MIN) });
  const last = (runs: typeof calm) => runs.reduce((a, b) => (b.position > a.position ? b : a));
  const [c, b] = [last(calm).finish, last(busy).finish];
  assert.equal(c?.mid, NOW + 150 * MIN);
  assert.ok((b?.mid ?? 0) > NOW + 160 * MIN, `busy finish ${String(((b?.mid ?? 0) - NOW) / MIN)} min`);
  assert.ok((b?.high ?? 0) - (b?.low ?? 0) > 0);
});

test('spread in the durations gives a range around the median, narrower relative to the wait the more runs add up', () => {
  const queue = makeQueue();
  const ctx = counterContext();
  commit(queue, ctx, 'aaaaaaa', ['git', 'leaf', 'curl', 'zlib', 'openssl']);
  const runs = projectQueue({ queue, now: NOW, duration: () => ({ median: 10 * MIN, sigma: 0.5, source: 'port', samples: 3, shared: 0 }), pushesPerMs: 0, watcher: undefined });
  const sorted = runs.sort((a, b) => a.position - b.position);
  const rel = sorted.map((r) => (r.finish === null ? Infinity : (r.finish.high - r.finish.low) / (r.finish.mid - NOW)));
  for (const r of sorted) assert.ok(r.finish !== null && r.finish.low < r.finish.mid && r.finish.mid < r.finish.high);
  assert.ok((rel[4] ?? 0) < (rel[0] ?? 0), rel.join(' '));
});
