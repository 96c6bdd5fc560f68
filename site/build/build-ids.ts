import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { counterId, IDS_PER_RUN, idRunPath } from '../lookup/id-runs.ts';
import { encodeIdRun, type RunSlots } from './write-id-runs.ts';
import { grow, internName } from './typed-columns.ts';

/**
 * Build id → builder and number, for ids found from the archive's build-page URLs. The
 * controller's ids (`<prefix>-<counter>`, nearly all of them) are kept in typed columns, 16 bytes
 * a build, in the order they were noted: a `Map` of a million id strings and pairs held to the
 * end of the site build was ~180 MB of long-lived objects that every full garbage collection
 * marked again. Any other id is kept by hash, as before. A later build with the same id wins.
 */
export class BuildIds implements Iterable<readonly [string, readonly [string, number]]> {
  readonly #prefixes = new Map<string, number>();
  readonly #prefixNames: string[] = [];
  readonly #builders = new Map<string, number>();
  readonly #builderNames: string[] = [];
  #size = 0;
  #prefix = new Uint32Array(1024);
  #counter = new Float64Array(1024);
  #builder = new Uint32Array(1024);
  #number = new Uint32Array(1024);
  /** Ids that are not the controller's: kept by hash (`/map/_ids/<n>.json`). */
  readonly hashed = new Map<string, readonly [string, number]>();

  set(id: string, builder: string, number: number): void {
    const counter = counterId(id);
    if (counter === undefined) {
      this.hashed.set(id, [builder, number]);
      return;
    }
    const row = this.#size++;
    if (row === this.#number.length) this.#grow();
    this.#prefix[row] = internName(this.#prefixes, this.#prefixNames, counter.prefix);
    this.#counter[row] = counter.counter;
    this.#builder[row] = internName(this.#builders, this.#builderNames, builder);
    this.#number[row] = number;
  }

  /** Every id noted (the controller's ids in the order noted, a repeated one again), then the ids kept by hash. */
  *[Symbol.iterator](): Iterator<readonly [string, readonly [string, number]]> {
    for (let row = 0; row < this.#size; row += 1) yield [`${this.#prefixNames[this.#prefix[row] ?? 0] ?? ''}-${(this.#counter[row] ?? 0).toString(36)}`, this.#at(row)];
    yield* this.hashed;
  }

  /**
   * The run files of the controller's ids (`site/lookup/id-runs.ts`), each as `encodeIdRun`
   * writes it from its slots; returns how many were written.
   */
  async writeRuns(dir: string): Promise<number> {
    const runs = new Map<string, { readonly prefix: string; readonly run: number; readonly rows: number[] }>();
    for (let row = 0; row < this.#size; row += 1) {
      const prefix = this.#prefixNames[this.#prefix[row] ?? 0] ?? '';
      const run = Math.floor((this.#counter[row] ?? 0) / IDS_PER_RUN);
      const key = `${prefix}/${run}`;
      let entry = runs.get(key);
      if (entry === undefined) {
        entry = { prefix, run, rows: [] };
        runs.set(key, entry);
      }
      entry.rows.push(row);
    }
    for (const { prefix, run, rows } of runs.values()) {
      const slots: RunSlots = new Map();
      for (const row of rows) slots.set((this.#counter[row] ?? 0) % IDS_PER_RUN, this.#at(row));
      const path = join(dir, idRunPath(prefix, run));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(encodeIdRun(slots)));
    }
    return runs.size;
  }

  #at(row: number): readonly [string, number] {
    return [this.#builderNames[this.#builder[row] ?? 0] ?? '', this.#number[row] ?? 0];
  }

  #grow(): void {
    const size = this.#number.length * 2;
    this.#prefix = grow(this.#prefix, new Uint32Array(size));
    this.#counter = grow(this.#counter, new Float64Array(size));
    this.#builder = grow(this.#builder, new Uint32Array(size));
    this.#number = grow(this.#number, new Uint32Array(size));
  }
}
