import { readFileSync } from 'node:fs';
import type { Mutant } from './mutate-source.ts';
import type { MutantStatus } from './mutation-score.ts';

/** One row of an earlier `--out` file: the mutant and what became of it. */
interface PreviousRow {
  readonly file: string;
  readonly status: MutantStatus;
  readonly line: number;
  readonly column: number;
  readonly operator: string;
  readonly original: string;
  readonly replacement: string;
}

/** The same change to the same place, whatever its `#n` (which shifts when other mutants come and go). */
function keyOf(file: string, m: Pick<Mutant, 'line' | 'column' | 'operator' | 'original' | 'replacement'>): string {
  return `${file}:${String(m.line)}:${String(m.column)}:${m.operator}:${m.original}→${m.replacement}`;
}

/**
 * The verdicts of an earlier run (`--out FILE`) that still hold: a mutant killed, timed out or
 * invalid then is so now as long as its file has not changed (tests only get added), so
 * `--again FILE` runs only the survivors, the mutants without tests and the new ones. A source
 * file that changed since moves its mutants, and they are run again.
 */
export function settledVerdicts(path: string): (file: string, mutant: Mutant) => MutantStatus | undefined {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as PreviousRow[];
  if (!Array.isArray(rows)) throw new Error(`${path} is not a list of mutants; give the file an earlier run wrote with --out`);
  const settled = new Map<string, MutantStatus>();
  for (const row of rows) {
    if (row.status === 'killed' || row.status === 'timed-out' || row.status === 'invalid') settled.set(keyOf(row.file, row), row.status);
  }
  return (file, mutant) => settled.get(keyOf(file, mutant));
}
