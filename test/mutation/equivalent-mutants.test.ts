import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isListedEquivalent, staleEquivalents, type EquivalentMutant } from './equivalent-mutants.ts';
import { mutateSource } from './mutate-source.ts';

const TEXT = `export function first(list: readonly number[], at: number): number | undefined {
  if (at < list.length) return list[at];
  return at < 0 ? undefined : list[0];
}
`;

test('an entry names its mutant by file, operator, a piece of the line and, when needed, the original text', () => {
  const mutants = mutateSource('first.ts', TEXT);
  const entry: EquivalentMutant = { file: 'first.ts', line: 'return at < 0', operator: 'operator <→<=', why: 'test' };
  const listed = mutants.filter((m) => isListedEquivalent(entry, 'first.ts', TEXT, m));
  assert.deepEqual(
    listed.map((m) => `${String(m.line)} ${m.operator}`),
    ['3 operator <→<='],
  );
  assert.equal(mutants.filter((m) => isListedEquivalent({ ...entry, file: 'other.ts' }, 'first.ts', TEXT, m)).length, 0);
  assert.equal(mutants.filter((m) => isListedEquivalent({ ...entry, original: '>' }, 'first.ts', TEXT, m)).length, 0);
  // Of two like mutants on one line, the text before it names one.
  const twice = 'const x = a < b || c < d;\n';
  const both: EquivalentMutant = { file: 'x.ts', line: 'const x', operator: 'operator <→<=', why: 'test' };
  assert.equal(mutateSource('x.ts', twice).filter((m) => isListedEquivalent(both, 'x.ts', twice, m)).length, 2);
  assert.deepEqual(
    mutateSource('x.ts', twice).filter((m) => isListedEquivalent({ ...both, before: '|| c ' }, 'x.ts', twice, m)).map((m) => m.column),
    [22],
  );
  // The same operator on another line is not the listed one.
  assert.equal(mutants.filter((m) => m.operator === 'operator <→<=').length, 2);
});

test('an entry that matches no mutant any more is reported as stale, an entry of another file is not', () => {
  const mutants = mutateSource('first.ts', TEXT);
  const list: EquivalentMutant[] = [
    { file: 'first.ts', line: 'if (at < list.length)', operator: 'condition-true', why: 'kept' },
    { file: 'first.ts', line: 'if (at <= list.length)', operator: 'condition-true', why: 'the line changed' },
    { file: 'other.ts', line: 'anything', operator: 'condition-true', why: 'another file' },
  ];
  assert.deepEqual(
    staleEquivalents(list, 'first.ts', TEXT, mutants).map((e) => e.why),
    ['the line changed'],
  );
});
