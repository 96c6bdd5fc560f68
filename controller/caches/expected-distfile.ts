import type { PortDistfiles } from '../model/port-distfiles.ts';

export type { PortDistfiles } from '../model/port-distfiles.ts';

/** One file a mirror upload grant allows: where it lands under distfiles/, and the exact bytes (size, sha256). */
export interface ExpectedDistfile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export function expectedDistfiles(port: PortDistfiles): readonly ExpectedDistfile[] {
  return port.files.map((file) => ({ path: `${port.distSubdir}/${file.name}`, size: file.size, sha256: file.sha256 }));
}

/**
 * Where the controller learns a built port's checksums: by port and ports revision (a builder
 * builds exactly the revision its watcher listed). Undefined = not known, and then nothing
 * from the build goes to the mirror.
 */
export type DistfileChecksums = (port: string, portsRevision: string) => PortDistfiles | undefined;
