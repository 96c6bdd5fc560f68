import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const githubFace = join(root, 'controller/github');
const runners = join(root, 'controller/runners');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every relative module specifier of a file: `import … from`, `export … from`, `import(…)`. */
function relativeImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) if (match[1] !== undefined) specifiers.push(match[1]);
  return specifiers;
}

test('the GitHub face (controller/github) imports nothing of the runners (controller/runners): it knows no VMs', () => {
  const files = sourceFiles(githubFace);
  assert.ok(files.length > 10, `expected the GitHub face's sources under ${githubFace}, found ${files.length}`);
  const crossings = files.flatMap((file) =>
    relativeImports(readFileSync(file, 'utf8'))
      .filter((specifier) => !relative(runners, resolve(dirname(file), specifier)).startsWith('..'))
      .map((specifier) => `${relative(root, file)} imports ${specifier}`),
  );
  assert.deepEqual(crossings, [], 'move the shared type to controller/model/ (as model/workflow-job-event.ts) instead of importing the runners');
});

test('the layering check sees every import form (it would catch a crossing)', () => {
  assert.deepEqual(relativeImports("import type { A } from '../runners/a.ts';\nexport { B } from \"./b.ts\";\nawait import('../runners/c.ts');\nimport './d.ts';\nimport { z } from 'zod';"), [
    '../runners/a.ts',
    './b.ts',
    '../runners/c.ts',
    './d.ts',
  ]);
});
