import { dependencyClosure } from '../../ports/dependency-closure.ts';
import type { PortsGraph } from '../../ports/ports-graph.ts';

const closures = new WeakMap<PortsGraph, Map<number, readonly number[]>>();
const dependents = new WeakMap<PortsGraph, readonly (readonly number[])[]>();

/** `dependencyClosure`, computed once per port and graph: the scheduler asks for the same ports at every dispatch. */
export function closureOf(graph: PortsGraph, id: number): readonly number[] {
  let cache = closures.get(graph);
  if (cache === undefined) {
    cache = new Map();
    closures.set(graph, cache);
  }
  let closure = cache.get(id);
  if (closure === undefined) {
    closure = dependencyClosure(graph, id);
    cache.set(id, closure);
  }
  return closure;
}

/** Ids of every port whose dependency closure holds `id` (itself excluded): who a failure of `id` blocks. */
export function dependentsOf(graph: PortsGraph, id: number): number[] {
  let reverse = dependents.get(graph);
  if (reverse === undefined) {
    const built: number[][] = graph.names.map(() => []);
    graph.deps.forEach((deps, from) => {
      for (const dep of deps) built[dep]?.push(from);
    });
    reverse = built;
    dependents.set(graph, reverse);
  }
  const seen = new Set<number>([id]);
  const todo = [id];
  const out: number[] = [];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    for (const from of reverse[next] ?? []) {
      if (seen.has(from)) continue;
      seen.add(from);
      out.push(from);
      todo.push(from);
    }
  }
  return out;
}
