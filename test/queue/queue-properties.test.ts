import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { dependencyClosure } from '../../controller/ports/dependency-closure.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { countPending } from '../../controller/queue/core/count-pending.ts';
import { enqueueBuilders } from '../../controller/queue/core/enqueue-builders.ts';
import { enqueueWatcher } from '../../controller/queue/core/enqueue-watcher.ts';
import { markDispatching } from '../../controller/queue/core/mark-dispatching.ts';
import { markFinished, markStarted } from '../../controller/queue/core/mark-run.ts';
import { coalesceKey } from '../../controller/queue/core/platform-queue.ts';
import { findPreemptable, requeuePreempted } from '../../controller/queue/core/preempt-builder.ts';
import { POLICY_NAMES } from '../../controller/queue/core/queue-policy.ts';
import { selectNext } from '../../controller/queue/core/select-next.ts';
import { counterContext, makeQueue } from './queue-helpers.ts';

const graph = await loadPortsGraph(new URL('../fixtures/macports/ports.json', import.meta.url).pathname);

/**
 * Random event sequences (seeded, so a failure replays): watchers for master and PRs, forced
 * rebuilds, dispatches, preemptions, starts, finishes and external cancels, with the invariants
 * checked after every event.
 */
for (const policy of POLICY_NAMES) {
  test(`${policy}: random event sequences keep the queue's invariants`, () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
      const queue = makeQueue(policy, graph);
      const ctx = counterContext();
      const rev = (): string => Math.floor(random() * 0xfffffff).toString(16).padStart(7, '0');
      let dispatchedBuilders = 0;
      for (let step = 0; step < 300; step++) {
        const roll = random();
        const running = queue.inFlight[0];
        if (roll < 0.06) {
          const ports = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(graph.names));
          const pr = random() < 0.2 ? 1 + Math.floor(random() * 3) : null;
          enqueueWatcher(queue, { portsRevision: rev(), changedPorts: ports, force: pr === null && random() < 0.03, prNumber: pr }, ctx);
        } else if (roll < 0.55 && running === undefined) {
          const victim = findPreemptable(queue);
          if (victim !== undefined) requeuePreempted(queue, victim, ctx);
          const next = selectNext(queue);
          if (next === null) continue;
          if (policy === 'portfarm' && next.kind === 'builder' && next.port !== null) {
            const id = graph.ids.get(next.port.toLowerCase());
            for (const dep of id === undefined ? [] : dependencyClosure(graph, id)) {
              const waiting = queue.pendingByPort.get(coalesceKey(graph.names[dep] ?? '', null));
              assert.equal(waiting, undefined, `seed ${seed}: ${next.port} dispatched before its queued dependency ${graph.names[dep] ?? ''}`);
            }
          }
          if (next.kind === 'builder') dispatchedBuilders++;
          markDispatching(queue, next, step);
        } else if (roll < 0.7 && running !== undefined) {
          if (random() < 0.5) markStarted(running, step);
          else if (policy === 'portfarm' && findPreemptable(queue) === running) requeuePreempted(queue, running, ctx);
        } else if (running !== undefined && (running.state === 'started' || random() < 0.1)) {
          if (running.state === 'started' && (running.kind === 'watcher' || running.kind === 'pr-watcher')) {
            const count = running.force ? 60 : 1 + Math.floor(random() * 6);
            const ports = Array.from({ length: count }, () => pick(graph.names));
            enqueueBuilders(queue, { origin: running, portsRevision: running.portsRevision, ports: [...new Set(ports)] }, ctx);
          }
          markFinished(queue, running, running.state === 'started' ? 'success' : 'cancelled', step);
        }
        assert.ok(queue.inFlight.length <= 1, `seed ${seed} step ${step}: ${queue.inFlight.length} runs in flight`);
        const pending = [...queue.entries.values()].filter((e) => e.state === 'pending');
        const count = countPending(queue);
        assert.equal(count.watchers + count.builders + count.pr, pending.length, `seed ${seed} step ${step}: pending count`);
        if (policy === 'portfarm') {
          const keys = pending.filter((e) => e.port !== null).map((e) => coalesceKey(e.port ?? '', e.prNumber));
          assert.equal(new Set(keys).size, keys.length, `seed ${seed} step ${step}: a port is queued twice`);
        }
      }
      assert.ok(dispatchedBuilders > 0, `seed ${seed}: the sequence dispatched builders`);
    }
  });
}
