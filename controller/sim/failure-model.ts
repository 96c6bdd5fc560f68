import { seededRandom } from './seeded-random.ts';

/**
 * Which builds fail, for the simulator: each version of a port fails on a platform with
 * probability `rate`, drawn from the seed, the platform, the port and the version only, so
 * every policy meets the same failures (and a version built again fails again). A failing
 * build stops part of the way through: 20–80 % of its duration.
 */
export interface FailureModel {
  fails(port: string, version: number): boolean;
  /** The share of its duration a failing build of this version runs before it stops. */
  failingPart(port: string, version: number): number;
}

export function createFailureModel(seed: number, rate: number): FailureModel {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`failure rate ${String(rate)} must be from 0 to 1`);
  const draw = (port: string, version: number): [number, number] => {
    const random = seededRandom(hashText(port.toLowerCase()) ^ Math.imul(seed + 1, 0x85ebca6b) ^ Math.imul(version + 2, 0xc2b2ae35));
    return [random(), random()];
  };
  return {
    fails: (port, version) => rate > 0 && draw(port, version)[0] < rate,
    failingPart: (port, version) => 0.2 + 0.6 * draw(port, version)[1],
  };
}

export function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
