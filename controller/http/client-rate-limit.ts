export interface ClientRateLimitOptions {
  /** Requests one client may make per minute (its bucket refills at this rate, and holds this many). */
  readonly perClientPerMinute: number;
  /** Requests all clients together may make per minute: a flood from many addresses stops here. */
  readonly totalPerMinute: number;
  /** Clients remembered at most; past it the least recently seen is forgotten (default 10,000). */
  readonly maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per client and for everyone, for an endpoint open to the public: `take` says
 * whether a request may be answered, or after how many seconds to ask again. A client is its
 * address, an IPv6 address by its /64 (one host has a whole /64 to rotate through). Memory is
 * bounded by `maxClients`; forgetting a client gives it a full bucket again, which the total
 * bucket still holds.
 */
export class ClientRateLimit {
  readonly #options: Required<ClientRateLimitOptions>;
  readonly #clients = new Map<string, Bucket>();
  readonly #total: Bucket;

  constructor(options: ClientRateLimitOptions) {
    this.#options = { maxClients: 10_000, ...options };
    this.#total = { tokens: options.totalPerMinute, at: Number.NEGATIVE_INFINITY };
  }

  /** Takes one request's token for `address` at `now` (ms): 0 when allowed, else the seconds to wait. */
  take(address: string, now: number): number {
    const key = clientKey(address);
    let bucket = this.#clients.get(key);
    if (bucket === undefined) {
      if (this.#clients.size >= this.#options.maxClients) {
        const oldest = this.#clients.keys().next().value;
        if (oldest !== undefined) this.#clients.delete(oldest);
      }
      bucket = { tokens: this.#options.perClientPerMinute, at: now };
    }
    // Least recently seen first: re-inserted on every request.
    this.#clients.delete(key);
    this.#clients.set(key, bucket);
    const own = refill(bucket, now, this.#options.perClientPerMinute);
    const all = refill(this.#total, now, this.#options.totalPerMinute);
    if (own < 1 || all < 1) return Math.max(1, Math.ceil((60 * (1 - Math.min(own, all))) / Math.min(this.#options.perClientPerMinute, this.#options.totalPerMinute)));
    bucket.tokens -= 1;
    this.#total.tokens -= 1;
    return 0;
  }

  /** Clients remembered now (tests: the map stays bounded under a flood of addresses). */
  get clients(): number {
    return this.#clients.size;
  }
}

function refill(bucket: Bucket, now: number, perMinute: number): number {
  const elapsed = bucket.at === Number.NEGATIVE_INFINITY ? 0 : Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(perMinute, bucket.tokens + (elapsed * perMinute) / 60_000);
  bucket.at = now;
  return bucket.tokens;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `2001:db8:1:2:aaaa::1` → `2001:db8:1:2::/64`; anything else as it is. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
