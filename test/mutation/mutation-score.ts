import type { Mutant } from './mutate-source.ts';

/** `equivalent`: listed in known-equivalents.ts, not run; like `invalid` it is left out of the score. */
export type MutantStatus = 'killed' | 'survived' | 'timed-out' | 'no-coverage' | 'invalid' | 'equivalent';

export interface MutantResult {
  readonly file: string;
  readonly mutant: Mutant;
  readonly status: MutantStatus;
}

export interface MutationSummary {
  readonly mutants: number;
  readonly killed: number;
  readonly survived: number;
  readonly timedOut: number;
  readonly noCoverage: number;
  /** Mutants that did not load (syntax): neither killed nor survived, left out of the score. */
  readonly invalid: number;
  /** Mutants listed as equivalent (no input tells them from the code): not run, left out of the score. */
  readonly equivalent: number;
  /** (killed + timed out) / (mutants − invalid − equivalent); 1 when there is nothing to score. */
  readonly score: number;
  readonly files: Readonly<Record<string, number>>;
}

function score(results: readonly MutantResult[]): number {
  const scored = results.filter((r) => r.status !== 'invalid' && r.status !== 'equivalent');
  if (scored.length === 0) return 1;
  const detected = scored.filter((r) => r.status === 'killed' || r.status === 'timed-out').length;
  return Math.round((detected / scored.length) * 10_000) / 10_000;
}

/** The totals Stryker reports, and the score of each file. */
export function summarise(results: readonly MutantResult[]): MutationSummary {
  const count = (status: MutantStatus): number => results.filter((r) => r.status === status).length;
  const files: Record<string, number> = {};
  for (const file of new Set(results.map((r) => r.file))) files[file] = score(results.filter((r) => r.file === file));
  return {
    mutants: results.length,
    killed: count('killed'),
    survived: count('survived'),
    timedOut: count('timed-out'),
    noCoverage: count('no-coverage'),
    invalid: count('invalid'),
    equivalent: count('equivalent'),
    score: score(results),
    files,
  };
}
