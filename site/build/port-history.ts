import type { PortBuild, PortSummary } from '../lookup/site-map.ts';
import { grow, internName } from './typed-columns.ts';

type Result = NonNullable<PortBuild['result']>;

/** What a port page needs of a build. */
export interface NotedBuild {
  readonly builder: string;
  readonly number: number;
  readonly platform: string;
  readonly result?: Result | undefined;
  readonly finishedAt?: string | undefined;
}
/** Builders and platforms are kept as 16-bit indexes. */
const SIXTEEN_BITS = { max: 65_536, what: 'builders or platforms' } as const;
const RESULTS: readonly (Result | undefined)[] = [undefined, 'success', 'failure', 'cancelled'];
/** `2026-08-17T21:12:36.000Z`, what `Date.toISOString` writes and so what the controller records. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The latest build per platform and the last few builds of every port, for the port pages.
 * Kept in typed columns, not one object per build: every build of a port stays in memory until
 * newer ones push it out, long enough for the garbage collector to copy and promote it, and at a
 * million builds that churn was a third of the site build's time.
 */
export class PortHistory {
  readonly #recentPerPort: number;
  readonly #ports = new Map<string, number>();
  readonly #names: string[] = [];
  readonly #builders = new Map<string, number>();
  readonly #builderNames: string[] = [];
  readonly #platforms = new Map<string, number>();
  readonly #platformNames: string[] = [];
  /** `port * 65536 + platform` → record of the port's latest build there. */
  readonly #latest = new Map<number, number>();
  /** finishedAt text of records whose time is not in the canonical form (rare). */
  readonly #oddTimes = new Map<number, string>();
  #records = 0;
  #builder = new Uint16Array(1024);
  #number = new Uint32Array(1024);
  #platform = new Uint16Array(1024);
  #result = new Uint8Array(1024);
  /** Milliseconds since the epoch; NaN when the build has no finishedAt. */
  #at = new Float64Array(1024);
  /** Per port, its last `recentPerPort` records, a ring; `#filled` says how many are set. */
  #ring = new Int32Array(1024);
  #filled = new Uint32Array(1024);

  constructor(recentPerPort: number) {
    this.#recentPerPort = recentPerPort;
    this.#ring = new Int32Array(1024 * recentPerPort);
  }

  get size(): number {
    return this.#names.length;
  }

  note(port: string, build: NotedBuild): void {
    const p = this.#portIndex(port);
    const r = this.#record(build);
    const platform = this.#platform[r] ?? 0;
    const at = this.#at[r] ?? Number.NaN;
    const key = p * 65536 + platform;
    const before = this.#latest.get(key);
    // Later ledger lines are newer, unless both builds say when they finished.
    const beforeAt = before === undefined ? Number.NaN : (this.#at[before] ?? Number.NaN);
    if (before === undefined || Number.isNaN(at) || Number.isNaN(beforeAt) || at >= beforeAt) this.#latest.set(key, r);
    this.#remember(p, r);
  }

  /**
   * A port as a written port file has it, so that an update of the site notes only the new
   * lines: its recent builds (oldest first, as they were noted) and its latest per platform.
   */
  restore(port: string, summary: PortSummary): void {
    const p = this.#portIndex(port);
    for (let i = summary.recent.length - 1; i >= 0; i -= 1) {
      const build = summary.recent[i];
      if (build !== undefined) this.#remember(p, this.#record(build));
    }
    for (const build of summary.latest) {
      const r = this.#record(build);
      this.#latest.set(p * 65536 + (this.#platform[r] ?? 0), r);
    }
  }

  #record(build: NotedBuild): number {
    const r = this.#records++;
    if (r === this.#number.length) this.#growRecords();
    this.#builder[r] = internName(this.#builders, this.#builderNames, build.builder, SIXTEEN_BITS);
    this.#number[r] = build.number;
    this.#platform[r] = internName(this.#platforms, this.#platformNames, build.platform, SIXTEEN_BITS);
    this.#result[r] = build.result === undefined ? 0 : RESULTS.indexOf(build.result);
    this.#at[r] = build.finishedAt === undefined ? Number.NaN : Date.parse(build.finishedAt);
    if (build.finishedAt !== undefined && !CANONICAL_TIME.test(build.finishedAt)) this.#oddTimes.set(r, build.finishedAt);
    return r;
  }

  /** Record `r` becomes port `p`'s most recent build. */
  #remember(p: number, r: number): void {
    const filled = this.#filled[p] ?? 0;
    this.#ring[p * this.#recentPerPort + (filled % this.#recentPerPort)] = r;
    this.#filled[p] = filled + 1;
  }

  /** Port names, each once, in no particular order. */
  ports(): readonly string[] {
    return this.#names;
  }

  summary(port: string): PortSummary | undefined {
    const p = this.#ports.get(port);
    if (p === undefined) return undefined;
    const latest: PortBuild[] = [];
    for (let platform = 0; platform < this.#platformNames.length; platform += 1) {
      const r = this.#latest.get(p * 65536 + platform);
      if (r !== undefined) latest.push(this.#build(r));
    }
    latest.sort((a, b) => a.platform.localeCompare(b.platform));
    const filled = this.#filled[p] ?? 0;
    const recent: PortBuild[] = [];
    for (let i = filled - 1; i >= Math.max(0, filled - this.#recentPerPort); i -= 1) {
      recent.push(this.#build(this.#ring[p * this.#recentPerPort + (i % this.#recentPerPort)] ?? 0));
    }
    return { latest, recent };
  }

  #build(r: number): PortBuild {
    const result = RESULTS[this.#result[r] ?? 0];
    const at = this.#at[r] ?? Number.NaN;
    const finishedAt = this.#oddTimes.get(r) ?? (Number.isNaN(at) ? undefined : new Date(at).toISOString());
    return {
      builder: this.#builderNames[this.#builder[r] ?? 0] ?? '',
      number: this.#number[r] ?? 0,
      platform: this.#platformNames[this.#platform[r] ?? 0] ?? '',
      ...(result === undefined ? {} : { result }),
      ...(finishedAt === undefined ? {} : { finishedAt }),
    };
  }

  #portIndex(port: string): number {
    let p = this.#ports.get(port);
    if (p !== undefined) return p;
    p = this.#names.length;
    this.#ports.set(port, p);
    this.#names.push(port);
    if (p === this.#filled.length) {
      this.#filled = grow(this.#filled, new Uint32Array(p * 2));
      this.#ring = grow(this.#ring, new Int32Array(p * 2 * this.#recentPerPort));
    }
    return p;
  }

  #growRecords(): void {
    const size = this.#number.length * 2;
    this.#builder = grow(this.#builder, new Uint16Array(size));
    this.#number = grow(this.#number, new Uint32Array(size));
    this.#platform = grow(this.#platform, new Uint16Array(size));
    this.#result = grow(this.#result, new Uint8Array(size));
    this.#at = grow(this.#at, new Float64Array(size));
  }
}
