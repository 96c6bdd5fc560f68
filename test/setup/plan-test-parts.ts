import { aptInstallCommand, missingPartMessage, TEST_PARTS, type TestPartName } from './test-parts.ts';

export interface MissingPart {
  readonly name: TestPartName;
  /** Why it counts as missing (not on PATH; the packaged Chromium does not start here). */
  readonly detail: string;
}

/** What the pretest step does about the missing parts: nothing, install these Debian packages (root), or stop with this message. */
export type TestPartsPlan = { readonly kind: 'ready' } | { readonly kind: 'install'; readonly packages: readonly string[] } | { readonly kind: 'stop'; readonly message: string };

export function planTestParts(missing: readonly MissingPart[], isRoot: boolean): TestPartsPlan {
  if (missing.length === 0) return { kind: 'ready' };
  const packages = [...new Set(missing.map((m) => TEST_PARTS[m.name].debianPackage))];
  if (isRoot) return { kind: 'install', packages };
  return {
    kind: 'stop',
    message:
      `ensure-test-parts: the tests need programs this machine lacks:\n${missing.map((m) => `  - ${missingPartMessage(m.name, m.detail)}\n`).join('')}` +
      `Install them as root, then run npm test again:\n  ${aptInstallCommand(packages)}\n`,
  };
}
