import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * A copy of the working tree (tracked and untracked-but-not-ignored files, as they are on disk)
 * under the system's temp folder, where mutants are written. The work tree is never touched:
 * a `kill -9` of the driver leaves at worst a stale folder in /tmp, never a mutated source.
 * node_modules is linked, not copied; so is the test data folder beside the repository
 * (`../shared`), which some tests read by relative path.
 */
export interface Sandbox {
  /** The copy's root, used as the tests' working directory. */
  readonly root: string;
  /**
   * Added to its tests' environment: a V8 compile cache beside the copy, so the thousand
   * unchanged modules a test loads (zod, octokit, pino, our own) are compiled once per run, not
   * once per mutant. The cache is keyed by each file's content: a mutated file is compiled anew.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly remove: () => void;
}

export function createSandbox(repoRoot: string): Sandbox {
  const parent = mkdtempSync(join(tmpdir(), 'portfarm-mutation-'));
  const root = join(parent, basename(repoRoot));
  mkdirSync(root);
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file !== '' && file !== 'node_modules');
  for (const file of files) {
    const from = join(repoRoot, file);
    // A file deleted in the work tree but still in the index.
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(from, join(root, file));
  }
  symlinkSync(realpathSync(join(repoRoot, 'node_modules')), join(root, 'node_modules'));
  const data = resolve(repoRoot, '..', 'shared');
  if (existsSync(data)) symlinkSync(realpathSync(data), join(parent, 'shared'));
  return {
    root,
    env: { NODE_COMPILE_CACHE: join(parent, 'compile-cache') },
    remove: () => {
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
