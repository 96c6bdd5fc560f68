import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('../router/router-main.ts', import.meta.url));

/**
 * The router page's script: router-main.ts and the lookup it shares with `site resolve`,
 * bundled into one file. Bundled at build time from the same sources Node runs, so the page
 * and the CLI cannot drift apart.
 */
export async function bundleRouter(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no router bundle');
  // Inlined in a <script> element: a literal "</script" in a string would end it early.
  return output.text.replaceAll('</script', '<\\/script');
}
