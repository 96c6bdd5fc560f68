import type { PortDistfiles } from '../model/port-distfiles.ts';
import type { DistfileChecksums } from './expected-distfile.ts';

/**
 * The checksums master watchers handed over, by ports revision and port (case-insensitive, as
 * MacPorts names are): what `DistfileChecksums` answers when a builder's VM is collected. Kept
 * in memory for the newest `maxRevisions` revisions: after a restart a builder queued before it
 * finds no checksums and adds nothing to the mirror (the next build of the port fetches again),
 * which loses no build and lets nothing unchecked in.
 */
export class DistfileChecksumsStore {
  readonly #byRevision = new Map<string, Map<string, PortDistfiles>>();
  readonly #maxRevisions: number;

  constructor(options: { readonly maxRevisions?: number } = {}) {
    this.#maxRevisions = options.maxRevisions ?? 64;
  }

  record(portsRevision: string, ports: readonly PortDistfiles[]): void {
    if (ports.length === 0) return;
    const known = this.#byRevision.get(portsRevision) ?? new Map<string, PortDistfiles>();
    this.#byRevision.delete(portsRevision); // re-inserted below: newest last
    for (const port of ports) known.set(port.port.toLowerCase(), port);
    this.#byRevision.set(portsRevision, known);
    while (this.#byRevision.size > this.#maxRevisions) {
      const oldest = this.#byRevision.keys().next().value;
      if (oldest === undefined) break;
      this.#byRevision.delete(oldest);
    }
  }

  readonly lookup: DistfileChecksums = (port, portsRevision) => this.#byRevision.get(portsRevision)?.get(port.toLowerCase());
}
