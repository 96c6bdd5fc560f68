import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relativeImports, testAreaOf } from './covering-tests.ts';
import { applyMutant, functionSpans, mutateSource } from './mutate-source.ts';
import { summarise } from './mutation-score.ts';

const SOURCE = `import { x } from './x.ts';
export interface Shape { readonly kind: 'a' | 'b' }
type Name = 'n';
export function pick(list: readonly string[], port: string | null): string | undefined {
  if (port !== null && list.length > 0) return port.toLowerCase();
  const first = list[0];
  log({ 'key-name': 'message' });
  return !first ? undefined : first;
}
`;

test('every operator yields its mutants on the code, none on types, imports or property names', () => {
  const mutants = mutateSource('pick.ts', SOURCE);
  assert.deepEqual(
    mutants.map((m) => `${String(m.line)} ${m.operator}: ${m.original} → ${m.replacement}`),
    [
      '5 condition-true: port !== null && list.length > 0 → true',
      '5 condition-false: port !== null && list.length > 0 → false',
      '5 operator &&→||: && → ||',
      '5 operator !==→===: !== → ===',
      '5 operator >→>=: > → >=',
      '5 operator >→<=: > → <=',
      '5 call-dropped .toLowerCase(): .toLowerCase() → ',
      '6 index-from-end [0]→.at(-1): [0] → .at(-1)',
      "7 statement-removed: log({ 'key-name': 'message' }); → {}",
      "7 string-emptied: 'message' → ''",
      '8 condition-true: !first → true',
      '8 condition-false: !first → false',
      '8 negation-removed: ! → ',
    ],
  );
  const dropped = mutants.find((m) => m.operator.startsWith('call-dropped'));
  assert.ok(dropped !== undefined);
  assert.match(applyMutant(SOURCE, dropped), /return port;\n/);
});

test('strings only a person reads are not emptied: log calls, built-in errors, error and message options', () => {
  const text = [
    "log.warn({ why: 'kept out' }, 'kept out');",
    "this.#log.info('kept out');",
    "throw new Error(`kept out`);",
    "z.string({ error: 'kept out' });",
    "context.addIssue({ code: 'mutated', message: 'kept out' });",
    "reject(403, 'mutated', 'mutated');",
    "throw new HandoffError('mutated');",
    "log.warn(() => 'mutated');",
  ].join('\n');
  const emptied = mutateSource('strings.ts', text).filter((m) => m.operator === 'string-emptied');
  assert.deepEqual(
    emptied.map((m) => `${String(m.line)} ${m.original}`),
    ["5 'mutated'", "6 'mutated'", "6 'mutated'", "7 'mutated'", "8 'mutated'"],
  );
});

test('a mutant refuses to apply to a file that changed since it was made', () => {
  const [first] = mutateSource('pick.ts', SOURCE);
  assert.ok(first !== undefined);
  assert.throws(() => applyMutant(SOURCE.replace('port !== null', 'port != null'), first), /no longer matches its file: expected .*; regenerate the mutants/);
});

test('functionSpans narrows a file to named functions and methods, and names the ones it cannot find', () => {
  const text = 'class A {\n  #teardown(): void { go(); }\n  other(): void { stay(); }\n}\nfunction free(): void { also(); }\n';
  const spans = functionSpans('a.ts', text, ['#teardown', 'free']);
  assert.deepEqual(spans.map((s) => text.slice(s.start, s.end)), ['#teardown(): void { go(); }', 'function free(): void { also(); }']);
  assert.throws(() => functionSpans('a.ts', text, ['gone']), /a\.ts has no function or method gone; update test\/mutation\/mutation-targets\.ts/);
});

test('imports are followed by relative specifier only; a source file maps to its area of tests', () => {
  const text = "import a from 'zod';\nimport { b } from './mutate-source.ts';\nexport * from '../queue/queue-helpers.ts';\nconst c = await import('./missing.ts');\n";
  assert.deepEqual(relativeImports(process.cwd(), 'test/mutation/x.ts', text), ['test/mutation/mutate-source.ts', 'test/queue/queue-helpers.ts']);
  assert.equal(testAreaOf('controller/queue/core/select-next.ts'), 'test/queue/');
  assert.equal(testAreaOf('site/lookup/parse-legacy-path.ts'), 'test/site/');
  assert.equal(testAreaOf('action/src/action-inputs.ts'), 'test/action/');
});

test('the score counts timeouts as detected and leaves mutants that did not load or are listed as equivalent out', () => {
  const [m] = mutateSource('pick.ts', SOURCE);
  assert.ok(m !== undefined);
  const summary = summarise([
    { file: 'a.ts', mutant: m, status: 'killed' },
    { file: 'a.ts', mutant: m, status: 'timed-out' },
    { file: 'a.ts', mutant: m, status: 'survived' },
    { file: 'a.ts', mutant: m, status: 'invalid' },
    { file: 'a.ts', mutant: m, status: 'equivalent' },
    { file: 'b.ts', mutant: m, status: 'no-coverage' },
  ]);
  assert.deepEqual(summary, { mutants: 6, killed: 1, survived: 1, timedOut: 1, noCoverage: 1, invalid: 1, equivalent: 1, score: 0.5, files: { 'a.ts': 0.6667, 'b.ts': 0 } });
});

test('a method named like an Object.prototype member is not swapped for the prototype function', () => {
  const mutants = mutateSource('f.ts', 'export const f = (n: number): string => n.toString(36).padStart(4, "0");\n');
  assert.deepEqual(mutants.filter((m) => m.operator.startsWith('call-swapped')), []);
});
