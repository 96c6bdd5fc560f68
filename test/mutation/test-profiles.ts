import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Mutant } from './mutate-source.ts';
import { runTestsOnce } from './run-tests-once.ts';
import { ranAt, readCoverage, type CoverageRange } from './v8-coverage.ts';

/** What one covering test file does to a target, unmutated: how long it takes, and which of the target's code it runs. */
export interface TestProfile {
  readonly file: string;
  readonly ms: number;
  /** V8's ranges of the target, per process the test ran (see v8-coverage.ts). */
  readonly ranges: readonly (readonly CoverageRange[])[];
}

export interface TestProfiles {
  /** The tests that pass unmutated, with what they ran of the target. */
  readonly profiles: readonly TestProfile[];
  /** Tests that fail unmutated (their verdict on a mutant would mean nothing), with the end of their output. */
  readonly failing: readonly { readonly file: string; readonly output: string }[];
}

/**
 * Runs each of `tests` alone, unmutated, in `root` under `NODE_V8_COVERAGE`: the baseline of a
 * target. A test that fails is reported and left out; one that never loads `target` is kept but
 * chosen for no mutant (`testsFor`).
 */
export async function profileTests(root: string, node: string, target: string, tests: readonly string[], niceness: number, env: Readonly<Record<string, string>>): Promise<TestProfiles> {
  const url = pathToFileURL(join(root, target)).href;
  const profiles: TestProfile[] = [];
  const failing: { file: string; output: string }[] = [];
  for (const file of tests) {
    const dir = mkdtempSync(join(tmpdir(), 'portfarm-coverage-'));
    try {
      const run = await runTestsOnce(root, node, [file], 600_000, niceness, { ...env, NODE_V8_COVERAGE: dir });
      if (run.outcome !== 'passed') {
        failing.push({ file, output: run.output.slice(-2000) });
        continue;
      }
      profiles.push({ file, ms: run.ms, ranges: readCoverage(dir, url) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { profiles, failing };
}

/**
 * The tests to run against `mutant`: those that ran its place unmutated (no other can tell it
 * from the code), the one that killed most of this target's mutants so far first, then the
 * quickest: a mutant is usually killed by the first test run, and a survivor costs only the
 * tests that reach it.
 */
export function testsFor(profiles: readonly TestProfile[], mutant: Pick<Mutant, 'reach'>, kills: ReadonlyMap<string, number>): TestProfile[] {
  return profiles.filter((p) => ranAt(p.ranges, mutant.reach)).sort((a, b) => (kills.get(b.file) ?? 0) - (kills.get(a.file) ?? 0) || a.ms - b.ms || a.file.localeCompare(b.file));
}
