import type { PortsGraph } from '../ports/ports-graph.ts';

/**
 * The longest dependency chain by duration through the builds performed (graph id → its
 * duration, ms): a port not built passes its dependencies' chains on at no cost. No number of
 * builders finishes a rebuild sooner. Edges inside a broken cycle (to a port ranked at or
 * above) are not followed, as the scheduler does not wait for them either.
 */
export function longestChain(graph: PortsGraph, durations: ReadonlyMap<number, number>): number {
  const order = graph.names.map((_, id) => id).sort((a, b) => (graph.rank[a] ?? 0) - (graph.rank[b] ?? 0));
  const chain = new Float64Array(graph.names.length);
  let longest = 0;
  for (const id of order) {
    const rank = graph.rank[id] ?? 0;
    let before = 0;
    for (const dep of graph.deps[id] ?? []) {
      if ((graph.rank[dep] ?? 0) < rank) before = Math.max(before, chain[dep] ?? 0);
    }
    const total = before + (durations.get(id) ?? 0);
    chain[id] = total;
    longest = Math.max(longest, total);
  }
  return longest;
}
