/**
 * The system programs the tests drive for real, and the Debian package that brings each. The
 * pretest step (ensure-test-parts.ts) installs what is missing; a test that finds its part missing
 * fails at once with missingPartMessage() instead of timing out or hanging.
 */
export interface TestPart {
  /** The program looked up on PATH. */
  readonly binary: string;
  /** The Debian package that installs it. */
  readonly debianPackage: string;
  /** Who needs it, for the message. */
  readonly usedBy: string;
  /** Installed by `npm test`'s pretest step (a benchmark's part is only checked when it runs). */
  readonly forTests: boolean;
}

export const TEST_PARTS = {
  chromium: { binary: 'chromium', debianPackage: 'chromium', usedBy: 'the site browser tests (test/site/browser.test.ts) and bench:site', forTests: true },
  'qemu-img': { binary: 'qemu-img', debianPackage: 'qemu-utils', usedBy: 'the libvirt backend and qcow2 image tests', forTests: true },
  'qemu-io': { binary: 'qemu-io', debianPackage: 'qemu-utils', usedBy: 'the qcow2 image seal test', forTests: true },
  tmux: { binary: 'tmux', debianPackage: 'tmux', usedBy: 'the TUI tests in a real terminal', forTests: true },
  git: { binary: 'git', debianPackage: 'git', usedBy: 'the mpbb double and the demo (a ports repository)', forTests: true },
  time: { binary: 'time', debianPackage: 'time', usedBy: 'bench:site (peak memory of the site build)', forTests: false },
} as const satisfies Record<string, TestPart>;

export type TestPartName = keyof typeof TEST_PARTS;

/** The one command that installs `packages` on Debian, as the pretest step runs it. */
export function aptInstallCommand(packages: readonly string[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${[...new Set(packages)].join(' ')}`;
}

/** What a test says when its part is missing: the program, who needs it, and the fix. */
export function missingPartMessage(name: TestPartName, detail?: string): string {
  const part = TEST_PARTS[name];
  return (
    `${part.binary} is missing (Debian package ${part.debianPackage}; needed by ${part.usedBy})${detail === undefined ? '' : `: ${detail}`}. ` +
    `\`npm test\` installs it in its pretest step when run as root; otherwise install it as root: ${aptInstallCommand([part.debianPackage])}`
  );
}
