import type { PortsGraph } from './ports-graph.ts';

/**
 * What `mpbb list-subports` lists for changed ports: each port and its subports, in build
 * order (names it does not know are kept, after the known ones, in the order given).
 */
export function expandSubports(graph: PortsGraph, ports: readonly string[]): string[] {
  const known = new Set<number>();
  const unknown: string[] = [];
  for (const port of ports) {
    const id = graph.ids.get(port.toLowerCase());
    if (id === undefined) {
      if (!unknown.includes(port)) unknown.push(port);
      continue;
    }
    known.add(id);
    for (const sub of graph.subports[id] ?? []) known.add(sub);
  }
  return [...known].sort((a, b) => (graph.rank[a] ?? 0) - (graph.rank[b] ?? 0)).map((id) => graph.names[id] ?? '').concat(unknown);
}
