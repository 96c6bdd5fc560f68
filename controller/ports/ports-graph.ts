/**
 * The MacPorts build graph: every buildable name (ports and subports) with its build
 * dependencies (fetch, extract, patch, build, lib, run; test deps excluded, as in MacPorts'
 * build order). Ids are dense integers so the scheduler indexes arrays, not maps.
 */
export interface PortsGraph {
  /** id → name as the Portfile spells it. */
  readonly names: readonly string[];
  /** lower-case name → id (MacPorts names are case-insensitive). */
  readonly ids: ReadonlyMap<string, number>;
  /** id → ids of its direct build dependencies that are known names. */
  readonly deps: readonly (readonly number[])[];
  /** id → position in the build order: every dependency has a lower rank, except inside a broken cycle. */
  readonly rank: readonly number[];
  /** id of a main port → its subport ids (empty for subports and ports without any). */
  readonly subports: readonly (readonly number[])[];
  /** Non-trivial dependency cycles, members in the order they are built (name order). */
  readonly cycles: readonly (readonly string[])[];
  /** Dependency names that are no known port (removed ports such as rb19-json), with who asked. */
  readonly unknownDeps: readonly { readonly port: string; readonly dep: string }[];
}
