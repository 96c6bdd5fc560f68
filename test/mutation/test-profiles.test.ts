import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mutateSource } from './mutate-source.ts';
import { profileTests, testsFor } from './test-profiles.ts';

const SOURCE = [
  'export function sign(n: number): string {',
  '  if (n < 0) {',
  "    return 'negative';",
  '  }',
  "  return n === 0 ? 'zero' : String(n > 0 || 'positive');",
  '}',
  '',
].join('\n');

test('a mutant runs only the tests that ran its place unmutated, the best killer first; a place no test runs has no coverage', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'test-profiles-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'sign.ts'), SOURCE);
  const calls = (n: number): string => `import { test } from 'node:test';\nimport { sign } from './sign.ts';\ntest('sign', () => { sign(${String(n)}); });\n`;
  writeFileSync(join(dir, 'negative.test.ts'), calls(-1));
  writeFileSync(join(dir, 'positive.test.ts'), calls(1));
  writeFileSync(join(dir, 'broken.test.ts'), "import { test } from 'node:test';\ntest('broken', () => { throw new Error('broken'); });\n");
  const { profiles, failing } = await profileTests(dir, process.execPath, 'sign.ts', ['negative.test.ts', 'positive.test.ts', 'broken.test.ts'], 0, {});
  assert.deepEqual(failing.map((f) => f.file), ['broken.test.ts']);
  const mutants = mutateSource('sign.ts', SOURCE);
  const at = (original: string): number => {
    const m = mutants.find((x) => x.original === original);
    assert.ok(m !== undefined, original);
    return m.reach;
  };
  const chosen = (original: string, kills = new Map<string, number>()): string[] => testsFor(profiles, { reach: at(original) }, kills).map((p) => p.file);
  // Both run the `if`; only -1 reaches the first return; nothing reaches 'zero'.
  assert.equal(chosen('n < 0').length, 2);
  assert.deepEqual(chosen("'negative'"), ['negative.test.ts']);
  assert.deepEqual(chosen("'zero'"), []);
  // V8 counts `|| 'positive'` as a block, which 1 never runs (n > 0 is true); the operator runs all the same.
  assert.deepEqual(chosen("'positive'"), []);
  assert.deepEqual(chosen('||'), ['positive.test.ts']);
  assert.deepEqual(chosen('n < 0', new Map([['positive.test.ts', 3]])), ['positive.test.ts', 'negative.test.ts']);
  assert.deepEqual(chosen('n < 0', new Map([['negative.test.ts', 3]])), ['negative.test.ts', 'positive.test.ts']);
});
