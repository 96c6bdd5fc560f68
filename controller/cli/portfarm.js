#!/usr/bin/env node
// @ts-check
// npm links this file as the `portfarm` binary; Node >= 24.11 runs the TypeScript sources directly.
// The version is checked first and main.ts loaded after: a static import is linked before any
// line here runs, so an older Node (the system's, from a service unit) would die with
// ERR_UNKNOWN_FILE_EXTENSION and a stack instead of being told what to run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from './node-version-problem.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const problem = nodeVersionProblem({
  version: process.version,
  execPath: process.execPath,
  root,
  args: process.argv.slice(2),
  exists: existsSync,
});
if (problem === undefined) {
  await import('./main.ts');
} else {
  process.stderr.write(problem);
  process.exitCode = 2;
}
