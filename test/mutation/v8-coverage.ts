import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One block of V8's precise coverage: `[startOffset, endOffset)` of the script ran `count` times. */
export interface CoverageRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly CoverageRange[] }[];
}

/**
 * The ranges V8 recorded for the script at `url`, one list per process that loaded it, from the
 * coverage files under `dir` (what `NODE_V8_COVERAGE=dir` leaves: one file per process, the
 * test run's children included). Empty when no process loaded the script. Type stripping blanks
 * types out in place, so the offsets of a `.ts` file are offsets in its source text, as a
 * mutant's are.
 */
export function readCoverage(dir: string, url: string): CoverageRange[][] {
  const processes: CoverageRange[][] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const { result } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { result?: readonly ScriptCoverage[] };
    for (const script of result ?? []) {
      if (script.url === url) processes.push(script.functions.flatMap((fn) => fn.ranges));
    }
  }
  return processes;
}

/**
 * Whether the code at `offset` ran in any of the processes: in each, the innermost range around
 * it decides (V8 nests a block's range in its function's, a block that never ran counted 0,
 * and leaves out a block that ran as often as the code around it). Code that never ran cannot
 * tell a mutant from the original, so a test that never runs a mutant's place need not run for it.
 */
export function ranAt(processes: readonly (readonly CoverageRange[])[], offset: number): boolean {
  return processes.some((ranges) => {
    let innermost: CoverageRange | undefined;
    for (const range of ranges) {
      if (offset < range.startOffset || offset >= range.endOffset) continue;
      if (innermost === undefined || range.endOffset - range.startOffset <= innermost.endOffset - innermost.startOffset) innermost = range;
    }
    return innermost !== undefined && innermost.count > 0;
  });
}
