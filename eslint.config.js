// @ts-check
import { join } from 'node:path';
import { includeIgnoreFile } from '@eslint/compat';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Whatever git ignores is not ours to lint: `npm start` leaves its demo folders (VM workspaces
  // with .ts files among them) under .portfarm/, and eslint does not read .gitignore itself.
  includeIgnoreFile(join(import.meta.dirname, '.gitignore'), 'the .gitignore'),
  {
    ignores: ['node_modules/', 'dist/', 'action/dist/', 'site-out/', 'state/', '**/*.js', '!eslint.config.js'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Template literals with numbers are the clearest way to format figures and ids.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      // A leading underscore marks a parameter an interface requires but this implementation ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The GitHub face knows nothing of runners or VMs; a type both need lives in controller/model/
    // (test/foundation/github-face-layering.test.ts checks the same in the test run).
    files: ['controller/github/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/runners/**'], message: 'controller/github/ must not import controller/runners/: move the shared type to controller/model/' }] }],
    },
  },
  {
    // #22.4: the action is bundled into action/dist and runs inside build VMs. It shares only
    // controller/model/ with the controller (port names, the port-list schema): never the
    // service's config, queue, GitHub or hand-off code, which would ship in the bundle.
    files: ['action/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)controller/(?!model/)',
              message: 'the action may import only controller/model/ from the controller; move what both need into controller/model/',
            },
          ],
        },
      ],
    },
  },
  {
    // controller/model/ is what the action bundles: it may import only itself and packages.
    files: ['controller/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./', message: 'controller/model/ is shared with the action: import only from controller/model/ and packages' }] },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
