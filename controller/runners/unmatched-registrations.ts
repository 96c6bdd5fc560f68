/**
 * Registrations listed without a VM, counted over listings of GitHub's runner list. The list
 * lags the leases: a runner torn down a moment ago is still listed until the next listing (or
 * GitHub's own lag), and flagging it at once made the TUI cry "registration without VM" for a
 * runner that was merely gone. A registration is an orphan only when `LISTINGS_TO_CONFIRM`
 * listings in a row showed it with no VM or lease; any listing that shows it with one, or not
 * at all, forgets it.
 */
export const LISTINGS_TO_CONFIRM = 2;

export class UnmatchedRegistrations {
  readonly #listingsWithoutVm = new Map<string, number>();

  /** A fresh listing: `names` are the registrations listed, `hasVm` whether each has a VM or lease now. */
  listed(names: Iterable<string>, hasVm: (name: string) => boolean): void {
    const seen = new Set<string>();
    for (const name of names) {
      seen.add(name);
      if (hasVm(name)) this.#listingsWithoutVm.delete(name);
      else this.#listingsWithoutVm.set(name, (this.#listingsWithoutVm.get(name) ?? 0) + 1);
    }
    for (const name of [...this.#listingsWithoutVm.keys()]) if (!seen.has(name)) this.#listingsWithoutVm.delete(name);
  }

  /** Whether the registration was listed without a VM often enough to be called an orphan. */
  confirmed(name: string): boolean {
    return (this.#listingsWithoutVm.get(name) ?? 0) >= LISTINGS_TO_CONFIRM;
  }
}
