import type { DurationModel } from './duration-model.ts';
import { seededRandom } from './seeded-random.ts';

/** Spread of one port's builds around its typical duration (log units): most builds within ±25 %. */
export const BUILD_VARIATION_SIGMA = 0.25;

/**
 * Builds of one port do not take the same time twice (the host's load, the mirror, ccache):
 * each call of `build` is the port's typical duration times a log-normal factor with median 1,
 * drawn from a stream of its own (seeded, so a run replays exactly). Watchers are unchanged.
 */
export function varyBuildDurations(model: DurationModel, seed: number, sigma = BUILD_VARIATION_SIGMA): DurationModel {
  const random = seededRandom(Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d));
  return {
    build(port) {
      // Box–Muller from two uniforms of the stream.
      const u = Math.max(random(), 1e-12);
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      return model.build(port) * Math.exp(sigma * normal);
    },
    watcher: (listed) => model.watcher(listed),
  };
}
