import { BUILD_DEP_KINDS, type PortDepends, type PortEntry } from './port-entry-schema.ts';
import type { PortsGraph } from './ports-graph.ts';

/**
 * Builds the graph from validated ports.json entries. The build order is a topological order
 * of the strongly connected components (Tarjan emits a component after all components it
 * depends on); inside a cycle members are built in name order, so the same input always
 * gives the same order and the cycle is reported, not silently guessed.
 */
export function createPortsGraph(entries: readonly PortEntry[]): PortsGraph {
  const names: string[] = [];
  const ids = new Map<string, number>();
  const depNames: (readonly string[])[] = [];
  const subports: number[][] = [];
  const add = (name: string, depends: PortDepends): number => {
    const key = name.toLowerCase();
    const existing = ids.get(key);
    if (existing !== undefined) return existing; // a duplicate name keeps its first definition
    const id = names.length;
    names.push(name);
    ids.set(key, id);
    depNames.push(BUILD_DEP_KINDS.flatMap((kind) => depends[kind]));
    subports.push([]);
    return id;
  };
  for (const entry of entries) {
    const main = add(entry.name, entry.depends);
    for (const sub of entry.subports) {
      const depends = entry.subport_depends[sub] ?? entry.depends;
      const id = add(sub, depends);
      if (id !== main) subports[main]?.push(id);
    }
  }
  const unknownDeps: { port: string; dep: string }[] = [];
  const deps = depNames.map((list, id) => {
    const out = new Set<number>();
    for (const dep of list) {
      const target = ids.get(dep.toLowerCase());
      if (target === undefined) unknownDeps.push({ port: names[id] ?? '', dep });
      else if (target !== id) out.add(target);
    }
    return [...out].sort((a, b) => compareNames(names, a, b));
  });
  const { rank, cycles } = orderBuilds(names, deps);
  return { names, ids, deps, rank, subports, cycles, unknownDeps };
}

function compareNames(names: readonly string[], a: number, b: number): number {
  const x = names[a] ?? '';
  const y = names[b] ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Iterative Tarjan (the graph is ~40k nodes deep enough to overflow a recursive one). */
function orderBuilds(names: readonly string[], deps: readonly (readonly number[])[]): { rank: number[]; cycles: string[][] } {
  const n = names.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const rank = new Array<number>(n).fill(0);
  const cycles: string[][] = [];
  let nextIndex = 0;
  let nextRank = 0;
  const roots = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareNames(names, a, b));
  const frames: { node: number; edge: number }[] = [];
  for (const root of roots) {
    if (index[root] !== -1) continue;
    frames.push({ node: root, edge: 0 });
    index[root] = low[root] = nextIndex++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame === undefined) break;
      const v = frame.node;
      const edges = deps[v] ?? [];
      if (frame.edge < edges.length) {
        const w = edges[frame.edge++] ?? 0;
        if (index[w] === -1) {
          index[w] = low[w] = nextIndex++;
          stack.push(w);
          onStack[w] = 1;
          frames.push({ node: w, edge: 0 });
        } else if (onStack[w] === 1) {
          low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent.node] = Math.min(low[parent.node] ?? 0, low[v] ?? 0);
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        onStack[w] = 0;
        component.push(w);
        if (w === v) break;
      }
      component.sort((a, b) => compareNames(names, a, b));
      for (const member of component) rank[member] = nextRank++;
      if (component.length > 1) cycles.push(component.map((id) => names[id] ?? ''));
    }
  }
  return { rank, cycles };
}
