import { findOnPath } from './find-on-path.ts';
import { missingPartMessage, TEST_PARTS, type TestPartName } from './test-parts.ts';

/**
 * The path of a system program a test drives, found on PATH. Throws at once, naming the Debian
 * package and the command that installs it, when it is missing: the test fails in milliseconds
 * with the fix instead of an ENOENT deep in a helper, a timeout, or a hang.
 */
export function requireTestPart(name: Exclude<TestPartName, 'chromium'>, env: NodeJS.ProcessEnv = process.env): string {
  const found = findOnPath(TEST_PARTS[name].binary, env['PATH']);
  if (found === undefined) throw new Error(missingPartMessage(name, 'not found on PATH'));
  return found;
}
