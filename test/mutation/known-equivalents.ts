import type { EquivalentMutant } from './equivalent-mutants.ts';

/**
 * The equivalent mutants of the targets, each with why (docs/mutation.md groups them). Add one
 * only after reading the code: a mutant that a reachable input could tell apart is a missing
 * test, not an entry here.
 */
export const KNOWN_EQUIVALENTS: readonly EquivalentMutant[] = [];
