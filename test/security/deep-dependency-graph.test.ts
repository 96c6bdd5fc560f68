import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPortsGraph } from '../../controller/ports/create-ports-graph.ts';
import { expandSubports } from '../../controller/ports/expand-subports.ts';
import { closureOf, dependentsOf } from '../../controller/queue/core/closure-cache.ts';
import { port } from '../queue/queue-helpers.ts';

// Attack: a ports tree whose dependency graph is one long chain or one huge cycle (a merged
// pull request can add ports, and ports.json is the tree's). A recursive walk would overflow
// the stack (RangeError at some ten thousand frames) and take the scheduler down with it; every
// walk over the graph is iterative, so depth costs time in proportion, never a crash.

const DEPTH = 200_000;
const name = (i: number): string => `p${String(i)}`;

test(`a ${DEPTH.toLocaleString('en')}-port dependency chain is ordered, and its closures and dependents walked, without a stack overflow`, () => {
  const entries = Array.from({ length: DEPTH }, (_, i) => port(name(i), i === 0 ? [] : [name(i - 1)]));
  const graph = createPortsGraph(entries.reverse());
  assert.equal(graph.names.length, DEPTH);
  assert.deepEqual(graph.cycles, []);
  const top = graph.ids.get(name(DEPTH - 1)) ?? -1;
  const bottom = graph.ids.get(name(0)) ?? -1;
  assert.ok((graph.rank[bottom] ?? Infinity) < (graph.rank[top] ?? -Infinity), 'the deepest dependency is built first');
  assert.equal(closureOf(graph, top).length, DEPTH - 1);
  assert.equal(dependentsOf(graph, bottom).length, DEPTH - 1);
  assert.deepEqual(expandSubports(graph, [name(DEPTH - 1), name(0)]), [name(0), name(DEPTH - 1)]);
});

test(`a ${DEPTH.toLocaleString('en')}-port dependency cycle is broken deterministically and reported, without a stack overflow`, () => {
  const entries = Array.from({ length: DEPTH }, (_, i) => port(name(i), [name((i + 1) % DEPTH)]));
  const graph = createPortsGraph(entries);
  assert.equal(graph.cycles.length, 1);
  assert.equal(graph.cycles[0]?.length, DEPTH);
  assert.equal(closureOf(graph, 0).length, DEPTH - 1);
});
