import type { Mutant } from './mutate-source.ts';

/**
 * A mutant no test can kill because the program cannot behave differently (at most slower):
 * found by reading the code after it survived, and listed here so that runs skip it and the
 * score counts only mutants that can change behaviour (Stryker's "ignored"). Each entry names
 * the line by a piece of its text, not its number, so it outlives edits above it; an entry that
 * matches no mutant any more is reported, so the list cannot silently rot.
 */
export interface EquivalentMutant {
  readonly file: string;
  /** A piece of the mutated line's text, enough to make it unique in the file. */
  readonly line: string;
  /** The mutant's operator, as `mutateSource` names it (e.g. `operator <→<=`, `condition-true`). */
  readonly operator: string;
  /** The replaced text, when the operator occurs more than once on the line. */
  readonly original?: string;
  /** The line's text just before the mutant, when the same replacement occurs more than once on it. */
  readonly before?: string;
  /** Why no input can tell the mutant from the code. */
  readonly why: string;
}

/** The source line (trimmed) on which `mutant` starts. */
function lineOf(text: string, mutant: Mutant): string {
  const start = text.lastIndexOf('\n', mutant.start - 1) + 1;
  const end = text.indexOf('\n', mutant.start);
  return text.slice(start, end === -1 ? text.length : end).trim();
}

/** Whether `entry` describes `mutant` of `file` (whose text is `text`). */
export function isListedEquivalent(entry: EquivalentMutant, file: string, text: string, mutant: Mutant): boolean {
  return (
    entry.file === file &&
    entry.operator === mutant.operator &&
    (entry.original === undefined || entry.original === mutant.original) &&
    (entry.before === undefined || text.slice(0, mutant.start).endsWith(entry.before)) &&
    lineOf(text, mutant).includes(entry.line)
  );
}

/** The entries of `list` for `file` that match none of its `mutants`: stale, to be updated or removed. */
export function staleEquivalents(list: readonly EquivalentMutant[], file: string, text: string, mutants: readonly Mutant[]): EquivalentMutant[] {
  return list.filter((entry) => entry.file === file && !mutants.some((m) => isListedEquivalent(entry, file, text, m)));
}
