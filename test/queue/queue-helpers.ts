import { createPortsGraph } from '../../controller/ports/create-ports-graph.ts';
import type { PortEntry } from '../../controller/ports/port-entry-schema.ts';
import type { PortsGraph } from '../../controller/ports/ports-graph.ts';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { createPlatformQueue, type PlatformQueue } from '../../controller/queue/core/platform-queue.ts';
import type { QueueContext } from '../../controller/queue/core/queue-context.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { POLICIES, type PolicyName } from '../../controller/queue/core/queue-policy.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';

const none = { fetch: [], extract: [], patch: [], build: [], lib: [], run: [] };

/** A port entry with lib deps only (enough for ordering). */
export function port(name: string, lib: string[] = [], subports: string[] = []): PortEntry {
  return { name, subports, depends: { ...none, lib }, subport_depends: {} };
}

/** zlib ← openssl ← curl ← git; a ⇄ b (a cycle); python with two subports. */
export const SMALL_GRAPH: PortsGraph = createPortsGraph([
  port('zlib'),
  port('openssl', ['zlib']),
  port('curl', ['openssl', 'zlib']),
  port('git', ['curl']),
  port('b', ['a']),
  port('a', ['b']),
  port('python', [], ['py312', 'py313']),
  port('leaf'),
]);

export function counterContext(now = 0): QueueContext & { ids: number } {
  const ctx = { now, ids: 0, newBuildId: (): string => `b${String(++ctx.ids)}` };
  return ctx;
}

export function makeQueue(policy: PolicyName = 'portfarm', graph: PortsGraph | null = SMALL_GRAPH): PlatformQueue {
  return createPlatformQueue('15_arm64', POLICIES[policy], graph);
}

/** Enqueues a master watcher, dispatches and starts it, then hands it `ports`: the usual path of a commit. */
export function commit(queue: PlatformQueue, ctx: QueueContext, rev: string, ports: string[], force = false): QueueEntry {
  const { entry } = enqueueWatcher(queue, { portsRevision: rev, changedPorts: ports, force, prNumber: null }, ctx);
  const next = selectNext(queue);
  if (next !== entry) throw new Error(`expected the watcher ${entry.buildId} next, got ${next?.buildId ?? 'nothing'}`);
  runToEnd(queue, entry, ctx, () => enqueueBuilders(queue, { origin: entry, portsRevision: rev, ports }, ctx));
  return entry;
}

export function runToEnd(queue: PlatformQueue, entry: QueueEntry, ctx: QueueContext, whileRunning?: () => unknown): void {
  markDispatching(queue, entry, ctx.now);
  markStarted(entry, ctx.now);
  whileRunning?.();
  markFinished(queue, entry, 'success', ctx.now);
}

/** Dispatches and finishes builds until the queue is empty; returns what ran, as `kind:port`. */
export function drain(queue: PlatformQueue, ctx: QueueContext): string[] {
  const ran: string[] = [];
  for (let next = selectNext(queue); next !== null; next = selectNext(queue)) {
    ran.push(next.port === null ? `${next.kind}@${next.portsRevision}` : `${next.port}@${next.portsRevision}`);
    runToEnd(queue, next, ctx);
  }
  return ran;
}
