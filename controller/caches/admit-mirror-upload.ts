import type { ExpectedDistfile } from './expected-distfile.ts';

/** A refused mirror upload: the HTTP answer, and the `portfarm_events_rejected_total` reason. */
export interface MirrorUploadRefusal {
  readonly status: number;
  readonly reason: 'mirror-unplanned-file' | 'mirror-size-mismatch' | 'mirror-digest-mismatch';
  readonly message: string;
}

/**
 * Before a byte is read: may this grant store `name`? Only a file the grant names (the built
 * port's own distfiles, from its checksums), and, when the client declares a length, only the
 * planned one. Returns the planned file, or why not.
 */
export function admitMirrorUpload(planned: readonly ExpectedDistfile[], name: string, declaredLength: number | undefined): ExpectedDistfile | MirrorUploadRefusal {
  const file = planned.find((candidate) => candidate.path === name);
  if (file === undefined) {
    return { status: 403, reason: 'mirror-unplanned-file', message: `${name} is not one of the ${planned.length} distfile(s) this grant allows (the built port's checksums); nothing stored` };
  }
  if (declaredLength !== undefined && declaredLength !== file.size) {
    return { status: 400, reason: 'mirror-size-mismatch', message: `${name} is ${declaredLength} bytes, its checksums say ${file.size}; nothing stored` };
  }
  return file;
}

/** After the bytes arrived (in a temporary file, not yet the mirror): exactly the planned size and sha256? */
export function checkReceivedDistfile(file: ExpectedDistfile, received: { readonly size: number; readonly sha256: string }): MirrorUploadRefusal | undefined {
  if (received.size !== file.size) {
    return { status: 400, reason: 'mirror-size-mismatch', message: `${file.path}: received ${received.size} bytes, its checksums say ${file.size}; nothing stored` };
  }
  if (received.sha256 !== file.sha256) {
    return { status: 400, reason: 'mirror-digest-mismatch', message: `${file.path}: sha256 ${received.sha256}, its checksums say ${file.sha256}; nothing stored` };
  }
  return undefined;
}
