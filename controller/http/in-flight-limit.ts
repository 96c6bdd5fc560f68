/**
 * How many request bodies a route reads at once. Each body being read is memory the controller
 * holds until it is verified (a webhook's signature covers the whole body), so a flood of
 * well-formed but forged requests costs at most `max` bodies; past it the route answers 503
 * with Retry-After, which GitHub and the action both retry.
 */
export class InFlightLimit {
  readonly #max: number;
  #current = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`in-flight limit ${max} must be a whole number of at least 1`);
    this.#max = max;
  }

  /** Takes a place, or returns null when all `max` are taken; call the returned release once, when the body has been dealt with. */
  tryEnter(): (() => void) | null {
    if (this.#current >= this.#max) return null;
    this.#current += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#current -= 1;
    };
  }

  /** Bodies being read now (tests, metrics). */
  get current(): number {
    return this.#current;
  }

  get max(): number {
    return this.#max;
  }
}
