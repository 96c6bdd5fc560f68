import type { PortsGraph } from './ports-graph.ts';

/** Ids of everything `id` needs to build, transitively (itself excluded). */
export function dependencyClosure(graph: PortsGraph, id: number): number[] {
  const seen = new Set<number>([id]);
  const todo = [id];
  const out: number[] = [];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    for (const dep of graph.deps[next] ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      out.push(dep);
      todo.push(dep);
    }
  }
  return out;
}
