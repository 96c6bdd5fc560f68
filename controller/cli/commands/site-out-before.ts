import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_PATH } from '../../../site/build/site-manifest.ts';

/**
 * The site's folder as `site build` found it, to say after an interruption what it left there.
 * The manifest tells: a whole build writes into a temporary folder and swaps it in last, so the
 * folder keeps its old manifest (or stays missing) until then; an update in place removes the
 * manifest before its first write and writes a new one (a new file) after its last.
 */
export class SiteOutBefore {
  readonly #out: string;
  readonly #shown: string;
  readonly #existed: boolean;
  readonly #manifest: string | undefined;

  constructor(out: string, shown: string) {
    this.#out = out;
    this.#shown = shown;
    this.#existed = fileKey(out) !== undefined;
    this.#manifest = fileKey(join(out, MANIFEST_PATH));
  }

  /** What is true of the folder now, for the line that says the build was interrupted. */
  now(): string {
    const exists = fileKey(this.#out) !== undefined;
    if (!this.#existed && !exists) return `nothing was written: ${this.#shown} was not made`;
    const manifest = fileKey(join(this.#out, MANIFEST_PATH));
    if (this.#existed && manifest === this.#manifest) return `nothing was changed: ${this.#shown} is as before`;
    if (this.#existed && manifest === undefined) {
      return `${this.#shown} was partly updated (each file whole, old or new) and has no manifest now: the next site build builds it whole`;
    }
    // Stopped after the site was in place (nothing checks the signal after that): the next build finds it the ledger's, or builds what is missing.
    return `${this.#shown} may hold the new site; run site build again to make sure`;
  }
}

/** A file's identity and version (device, inode, size, change time), or undefined when there is none (or it cannot be looked at: site build says why). */
function fileKey(path: string): string | undefined {
  try {
    const info = statSync(path, { throwIfNoEntry: false, bigint: true });
    return info === undefined ? undefined : `${info.dev}:${info.ino}:${info.size}:${info.ctimeNs}`;
  } catch {
    return undefined;
  }
}
