import { dependencyClosure } from '../ports/dependency-closure.ts';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { hashText } from './failure-model.ts';
import { seededRandom } from './seeded-random.ts';

const MINUTE = 60_000;

/**
 * Build durations (ms) for the simulator, the same for a port every time it is built on a
 * platform with a given seed:
 *   duration = 2 min (clone a VM, boot, register a runner)
 *            + 0.5 s per port in the dependency closure (install-dependencies from archives)
 *            + a log-normal build time, median 3 min, sigma 1.2 (drawn once per port)
 * capped at 12 h: the port's typical duration. Each build of it varies around that
 * (log-normal, sigma 0.25, drawn from the port and its version, so every policy sees the same
 * build take the same time). Watchers take 3 min + 1 s per listed port (sync tree, list-subports).
 */
export interface DurationModel {
  /** The port's typical duration. */
  build(port: string): number;
  /** One build of the port at `version` (the simulator's version index). */
  run(port: string, version: number): number;
  watcher(listed: number): number;
}

/** Spread of one build's duration around its port's typical one (log-normal sigma). */
const RUN_SIGMA = 0.25;

export function createDurationModel(graph: PortsGraph, seed: number): DurationModel {
  const cache = new Map<string, number>();
  const build = (port: string): number => {
    const key = port.toLowerCase();
    const known = cache.get(key);
    if (known !== undefined) return known;
    const id = graph.ids.get(key);
    const closure = id === undefined ? 0 : dependencyClosure(graph, id).length;
    const random = seededRandom(hashText(key) ^ Math.imul(seed, 0x9e3779b1));
    const buildTime = 3 * MINUTE * Math.exp(1.2 * normal(random));
    const duration = Math.min(12 * 60 * MINUTE, 2 * MINUTE + closure * 500 + buildTime);
    cache.set(key, duration);
    return duration;
  };
  return {
    build,
    run(port, version) {
      const random = seededRandom(hashText(port.toLowerCase()) ^ Math.imul(seed, 0x27d4eb2f) ^ Math.imul(version + 2, 0x165667b1));
      return build(port) * Math.exp(RUN_SIGMA * normal(random));
    },
    watcher(listed) {
      return 3 * MINUTE + listed * 1000;
    },
  };
}

/** A standard normal draw (Box-Muller from two uniforms of `random`'s stream). */
function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
