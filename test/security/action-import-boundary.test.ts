import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The project's own import-boundary blocks (#22.4), without the type-aware rules: the test
 * proves the rule in eslint.config.js fires, not a copy of it, and stays fast.
 */
async function boundaryLinter(): Promise<ESLint> {
  // eslint.config.js is plain JS without types: load it by URL and take its blocks as ESLint's.
  const loaded: unknown = await import(pathToFileURL(join(ROOT, 'eslint.config.js')).href);
  const projectConfig = (loaded as { readonly default: readonly Linter.Config[] }).default;
  const boundaries = ['action/src/**/*.ts', 'controller/model/**/*.ts'];
  const blocks = projectConfig.filter((block) => block.rules !== undefined && 'no-restricted-imports' in block.rules && block.files?.some((glob) => typeof glob === 'string' && boundaries.includes(glob)) === true);
  assert.equal(blocks.length, 2, 'eslint.config.js has the action/src and controller/model import boundaries');
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...blocks],
  });
}

async function problems(linter: ESLint, code: string, filePath: string): Promise<string[]> {
  const [result] = await linter.lintText(code, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? '(parse)'}: ${m.message}`);
}

const linter = await boundaryLinter();

describe('the action imports nothing from controller/ but controller/model/', () => {
  it('fires on an action import of the controller config schema, the queue or the hand-off', async () => {
    for (const specifier of ['../../controller/config/config-schema.ts', '../../controller/queue/reorder-service.ts', '../../controller/handoff/handoff-settings.ts', '../../controller/errors/coerce-error.ts']) {
      const found = await problems(linter, `import { x } from '${specifier}';\nexport const y = x;\n`, 'action/src/new-file.ts');
      assert.equal(found.length, 1, `${specifier}: ${found.join('; ')}`);
      assert.match(found[0] ?? '', /^no-restricted-imports: .*only controller\/model\//);
    }
    const typeOnly = await problems(linter, `import type { Config } from '../../controller/config/config-schema.ts';\nexport type C = Config;\n`, 'action/src/new-file.ts');
    assert.equal(typeOnly.length, 1, 'a type-only import is refused too: the boundary is about what the action depends on');
  });

  it('lets the action import controller/model/ and packages', async () => {
    assert.deepEqual(await problems(linter, `import { isPortName } from '../../controller/model/port-name.ts';\nimport { z } from 'zod';\nexport const a = [isPortName, z];\n`, 'action/src/new-file.ts'), []);
  });

  it('fires when controller/model/ reaches out of model/, which would pull the controller into the bundle', async () => {
    const found = await problems(linter, `import { loadConfig } from '../config/load-config.ts';\nexport const a = loadConfig;\n`, 'controller/model/new-file.ts');
    assert.equal(found.length, 1, found.join('; '));
    assert.deepEqual(await problems(linter, `import { isBuildId } from './build-id.ts';\nexport const a = isBuildId;\n`, 'controller/model/new-file.ts'), []);
  });

  it('holds for every file of action/src and controller/model today', async () => {
    const files = [
      ...readdirSync(join(ROOT, 'action', 'src')).filter((f) => f.endsWith('.ts')).map((f) => join('action', 'src', f)),
      ...readdirSync(join(ROOT, 'controller', 'model')).filter((f) => f.endsWith('.ts')).map((f) => join('controller', 'model', f)),
    ];
    const results = await linter.lintFiles(files.map((f) => join(ROOT, f)));
    const found = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${String(m.line)} ${m.message}`));
    assert.deepEqual(found, []);
  });
});
