import { defineConfig } from 'tsup';

// Two bundles: the action (committed, what GitHub runs with node24) and the CLI (for installs
// outside a checkout). Sources run unbundled everywhere else.
export default defineConfig([
  {
    entry: { index: 'action/src/main.ts' },
    outDir: 'action/dist',
    format: ['esm'],
    platform: 'node',
    target: 'node24',
    bundle: true,
    noExternal: [/.*/],
    splitting: false,
    clean: true,
    sourcemap: false,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  },
  {
    entry: { portfarm: 'controller/cli/main.ts' },
    outDir: 'dist',
    format: ['esm'],
    platform: 'node',
    target: 'node24',
    splitting: false,
    clean: true,
  },
]);
