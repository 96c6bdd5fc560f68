/**
 * How many request bodies a route reads at once, and optionally how many bytes they may hold
 * together. Each body being read is memory the controller holds until it is verified (a
 * webhook's signature covers the whole body), so a flood of well-formed but forged requests
 * costs at most `max` bodies and `maxBytes` bytes; past either the route answers 503 with
 * Retry-After, which GitHub's redelivery and the action both retry. A body reserves its whole
 * size (declared, or the route's cap) before a byte is read, so the bound holds at every moment.
 */
export class InFlightLimit {
  readonly #max: number;
  readonly #maxBytes: number;
  #current = 0;
  #bytes = 0;

  constructor(max: number, maxBytes = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`in-flight limit ${max} must be a whole number of at least 1`);
    if (!(maxBytes > 0)) throw new Error(`in-flight byte limit ${maxBytes} must be positive`);
    this.#max = max;
    this.#maxBytes = maxBytes;
  }

  /**
   * Takes a place for a body of up to `bytes`, or returns null when all `max` places are taken or
   * the bytes would pass `maxBytes` (a body alone always fits when none is being read, so a
   * genuine body at the route's cap is never refused for good). Call the returned release once,
   * when the body has been dealt with.
   */
  tryEnter(bytes = 0): (() => void) | null {
    if (this.#current >= this.#max) return null;
    if (this.#current > 0 && this.#bytes + bytes > this.#maxBytes) return null;
    this.#current += 1;
    this.#bytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#current -= 1;
      this.#bytes -= bytes;
    };
  }

  /** Bytes reserved by the bodies being read now. */
  get bytes(): number {
    return this.#bytes;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Bodies being read now (tests, metrics). */
  get current(): number {
    return this.#current;
  }

  get max(): number {
    return this.#max;
  }
}
