import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Lint errors of two kinds (an unused name, an explicit any) wherever it is linted.
const bad = 'const unused: any = 1;\n';

test('lint skips what git ignores (the demo\'s .portfarm/ VM workspaces, state/, dist/) and still reports a source file', async () => {
  const eslint = new ESLint({ cwd: root });
  // The layout `npm start` leaves: .portfarm/demo-<time>/…, a VM workspace with TypeScript in it (issue #22.1).
  for (const ignored of ['.portfarm/demo-2026-12-03T10-00-00-000Z/vms/portfarm-q1-1-abcd/work/action/src/main.ts', 'state/x.ts', 'dist/portfarm.ts', 'out/x.ts']) {
    const results = await eslint.lintText(bad, { filePath: join(root, ignored), warnIgnored: false });
    assert.deepEqual(results.flatMap((r) => r.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`)), [], ignored);
  }
  const [source] = await eslint.lintText(bad, { filePath: join(root, 'controller', 'cli', 'main.ts') });
  assert.deepEqual(source?.messages.map((m) => m.ruleId).sort(), ['@typescript-eslint/no-explicit-any', '@typescript-eslint/no-unused-vars']);
});
