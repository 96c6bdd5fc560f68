/**
 * What one PR build may put into its quarantine folder. A PR's job runs as root on its VM and
 * names the files it "fetched" (ten thousand of them, a sparse 100 GB one), and while the
 * collection runs it can read the upload grant from curl's argv: without a budget one PR build
 * could fill the mirror host's disk. `caches.quarantineMaxGiB` and `quarantineMaxFiles`.
 */
export interface QuarantineBudget {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** The config's defaults: a PR build of a large port (a compiler's sources) fetches a few GiB in a few dozen files. */
export const DEFAULT_QUARANTINE_BUDGET: QuarantineBudget = { maxBytes: 20 * 1024 ** 3, maxFiles: 1000 };

/** Why an upload under a quarantine grant is refused before (or while) it is stored. */
export interface QuarantineRefusal {
  readonly status: 413 | 429;
  readonly message: string;
}

/**
 * One quarantine grant's spending. An upload reserves the whole rest of the budget while it
 * runs (the collection uploads one file after another), so uploads in parallel cannot each
 * spend the same bytes: a second one at once is refused (429), never stored.
 */
export class QuarantineAllowance {
  readonly #budget: QuarantineBudget;
  #bytes = 0;
  #files = 0;
  #busy = false;

  constructor(budget: QuarantineBudget) {
    this.#budget = budget;
  }

  /** Starts an upload of `declared` bytes (undefined: chunked): the most it may write, or why not. */
  begin(name: string, declared: number | undefined): { readonly limit: number } | QuarantineRefusal {
    if (this.#busy) return { status: 429, message: `${name}: another upload of this build is in progress; upload one file at a time` };
    if (this.#files >= this.#budget.maxFiles) return this.#over(name, `it already holds ${this.#files} files`);
    const left = this.#budget.maxBytes - this.#bytes;
    if (declared !== undefined && declared > left) return this.#over(name, `${declared} bytes do not fit in the ${left} bytes left`);
    this.#busy = true;
    return { limit: left };
  }

  /** The upload ended: `storedBytes` were kept (null: nothing was stored). */
  end(storedBytes: number | null): void {
    this.#busy = false;
    if (storedBytes === null) return;
    this.#bytes += storedBytes;
    this.#files += 1;
  }

  /** The refusal for a stream cut off at `limit` bytes. */
  cutOff(name: string, limit: number): QuarantineRefusal {
    return this.#over(name, `it grew past the ${limit} bytes left`);
  }

  #over(name: string, why: string): QuarantineRefusal {
    const { maxBytes, maxFiles } = this.#budget;
    return { status: 413, message: `${name}: ${why}; a PR build's quarantine holds at most ${maxBytes} bytes in ${maxFiles} files (caches.quarantineMaxGiB, quarantineMaxFiles); nothing stored` };
  }
}
