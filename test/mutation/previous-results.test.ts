import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mutateSource } from './mutate-source.ts';
import { settledVerdicts } from './previous-results.ts';

const TEXT = 'export const f = (a: number, b: number): boolean => a < b && b > 0;\n';

test('an earlier run settles its killed, timed-out and invalid mutants; survivors and moved mutants run again', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'previous-results-'));
  t.after(() => { rmSync(dir, { recursive: true, force: true }); });
  const mutants = mutateSource('f.ts', TEXT);
  const statuses = ['killed', 'survived', 'timed-out', 'invalid', 'no-coverage'] as const;
  const rows = mutants.slice(0, statuses.length).map((m, i) => ({ file: 'f.ts', status: statuses[i], ...m }));
  const path = join(dir, 'out.json');
  writeFileSync(path, JSON.stringify(rows));
  const settled = settledVerdicts(path);
  assert.deepEqual(mutants.slice(0, statuses.length).map((m) => settled('f.ts', m) ?? 'run'), ['killed', 'run', 'timed-out', 'invalid', 'run']);
  // Another file, or the same change after a line was inserted above it, is not the same mutant.
  const [first] = mutants;
  assert.ok(first !== undefined);
  assert.equal(settled('g.ts', first), undefined);
  const [moved] = mutateSource('f.ts', `// a comment\n${TEXT}`);
  assert.ok(moved !== undefined);
  assert.equal(settled('f.ts', moved), undefined);
});
