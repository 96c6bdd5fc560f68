import { dependencyClosure } from '../ports/dependency-closure.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { seededRandom } from './seeded-random.ts';

const MINUTE = 60_000;

/**
 * Build durations (ms) for the simulator, the same for a port every time it is built on a
 * platform with a given seed:
 *   duration = 2 min (clone a VM, boot, register a runner)
 *            + 0.5 s per port in the dependency closure (install-dependencies from archives)
 *            + a log-normal build time, median 3 min, sigma 1.2 (drawn once per port)
 * capped at 12 h. Watchers take 3 min + 1 s per listed port (sync tree, list-subports).
 */
export interface DurationModel {
  build(port: string): number;
  watcher(listed: number): number;
}

export function createDurationModel(graph: PortsGraph, seed: number): DurationModel {
  const cache = new Map<string, number>();
  return {
    build(port) {
      const key = port.toLowerCase();
      const known = cache.get(key);
      if (known !== undefined) return known;
      const id = graph.ids.get(key);
      const closure = id === undefined ? 0 : dependencyClosure(graph, id).length;
      const random = seededRandom(hash(key) ^ Math.imul(seed, 0x9e3779b1));
      // Box-Muller from two uniforms of the port's own stream.
      const u = Math.max(random(), 1e-12);
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      const buildTime = 3 * MINUTE * Math.exp(1.2 * normal);
      const duration = Math.min(12 * 60 * MINUTE, 2 * MINUTE + closure * 500 + buildTime);
      cache.set(key, duration);
      return duration;
    },
    watcher(listed) {
      return 3 * MINUTE + listed * 1000;
    },
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
