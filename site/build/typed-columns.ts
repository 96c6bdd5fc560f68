/** A column grown: `to` (larger, zeroed) with `from`'s values at its start. */
export function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The index of `name` in `names`, added at the end when new: how a column stores a string as a
 * small number. `limit` is how many distinct names the column's integer type holds; past it the
 * build stops naming what overflowed, rather than store a wrong index.
 */
export function internName(indexes: Map<string, number>, names: string[], name: string, limit?: { readonly max: number; readonly what: string }): number {
  let i = indexes.get(name);
  if (i === undefined) {
    i = names.length;
    if (limit !== undefined && i >= limit.max) throw new Error(`more than ${limit.max.toLocaleString('en')} distinct ${limit.what} (at ${name}); the site build keeps their index in ${String(Math.log2(limit.max))} bits`);
    indexes.set(name, i);
    names.push(name);
  }
  return i;
}
