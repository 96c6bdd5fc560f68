import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { killRunningTests, runTestsOnce } from './run-tests-once.ts';

function withFolder(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'run-tests-once-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return body(dir).finally(() => {
    rmSync(dir, { recursive: true, force: true });
  });
}

test('the first failing test ends the run: a killed mutant does not wait for the slow tests after it', async () => {
  const failsThenSleeps = [
    "import { test } from 'node:test';",
    "test('fails', () => { throw new Error('mutant caught'); });",
    "test('slow', () => new Promise((resolve) => setTimeout(resolve, 60_000)));",
  ].join('\n');
  await withFolder({ 'a.test.mjs': failsThenSleeps }, async (dir) => {
    const run = await runTestsOnce(dir, process.execPath, ['a.test.mjs'], 120_000);
    assert.equal(run.outcome, 'failed');
    assert.ok(run.ms < 30_000, `the run took ${String(run.ms)} ms: it waited for the slow test`);
  });
});

test('the tests run niced: the shared machine comes first', async () => {
  const writesPriority = [
    "import { test } from 'node:test';",
    "import { writeFileSync } from 'node:fs';",
    "import { getPriority } from 'node:os';",
    "test('priority', () => { writeFileSync('priority.txt', String(getPriority())); });",
  ].join('\n');
  await withFolder({ 'p.test.mjs': writesPriority }, async (dir) => {
    const run = await runTestsOnce(dir, process.execPath, ['p.test.mjs'], 60_000, 7);
    assert.equal(run.outcome, 'passed', run.output);
    // nice adds to the niceness it inherits, up to 19.
    assert.equal(Number(readFileSync(join(dir, 'priority.txt'), 'utf8')), Math.min(19, getPriority() + 7));
  });
});

test('a stopped driver ends the test runs under way', async () => {
  const sleeps = "import { test } from 'node:test';\ntest('slow', () => new Promise((resolve) => setTimeout(resolve, 60_000)));\n";
  await withFolder({ 's.test.mjs': sleeps }, async (dir) => {
    const run = runTestsOnce(dir, process.execPath, ['s.test.mjs'], 120_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    killRunningTests();
    const { outcome, ms } = await run;
    assert.equal(outcome, 'failed');
    assert.ok(ms < 30_000, `the run went on for ${String(ms)} ms`);
  });
});

test('the tests run in the order given, and the run names the file whose test failed first', async () => {
  // node --test sorts the files it is given: z runs first only because the driver asked for it first.
  const fails = (name: string): string => `import { test } from 'node:test';\ntest('${name}', () => { throw new Error('${name} caught it'); });\n`;
  await withFolder({ 'a.test.mjs': fails('a'), 'z.test.mjs': fails('z') }, async (dir) => {
    const run = await runTestsOnce(dir, process.execPath, ['z.test.mjs', 'a.test.mjs'], 120_000);
    assert.equal(run.outcome, 'failed');
    assert.equal(run.failedIn, 'z.test.mjs');
    const other = await runTestsOnce(dir, process.execPath, ['a.test.mjs', 'z.test.mjs'], 120_000);
    assert.equal(other.failedIn, 'a.test.mjs');
  });
});
