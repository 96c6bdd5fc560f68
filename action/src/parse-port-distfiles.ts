import { portDistfilesSchema, type PortDistfiles } from '../../controller/model/port-distfiles.ts';

export interface ParsedPortDistfiles {
  /** Ports whose every distfile has a sha256 and a size in its checksums: what the controller may mirror. */
  readonly ports: readonly PortDistfiles[];
  /** Ports left out, with why (no size or sha256 checksum, odd layout): their distfiles are never mirrored. */
  readonly skipped: readonly { readonly port: string; readonly why: string }[];
}

const HEADER = /^--->\s+Distfiles for (\S+)\s*$/;
const FILE = /^\[([^\]]+)\] (\S+)$/;
const CHECKSUM = /^ (\w+): (\S+)$/;

interface Draft {
  port: string;
  files: { name: string; path: string; sums: Map<string, string> }[];
}

/**
 * Reads what `port distfiles <port>…` prints (MacPorts' portdistfiles.tcl): per port a
 * `--->  Distfiles for <name>` line, then per distfile `[<file>] <distfiles root>/<dist_subdir>/<file>`,
 * its checksums as ` <type>: <value>` and its URLs (two spaces). Only the file names,
 * dist_subdir, size and sha256 are kept: what a mirror upload grant names.
 */
export function parsePortDistfiles(stdout: string, distfilesRoot: string): ParsedPortDistfiles {
  const drafts: Draft[] = [];
  let file: Draft['files'][number] | undefined;
  for (const line of stdout.split('\n')) {
    const header = HEADER.exec(line);
    if (header !== null) {
      drafts.push({ port: header[1] ?? '', files: [] });
      file = undefined;
      continue;
    }
    const current = drafts.at(-1);
    if (current === undefined) continue;
    const entry = FILE.exec(line);
    if (entry !== null) {
      file = { name: entry[1] ?? '', path: entry[2] ?? '', sums: new Map() };
      current.files.push(file);
      continue;
    }
    const sum = CHECKSUM.exec(line);
    if (sum !== null && file !== undefined) file.sums.set(sum[1] ?? '', sum[2] ?? '');
  }
  const ports: PortDistfiles[] = [];
  const skipped: { port: string; why: string }[] = [];
  const root = `${distfilesRoot.replace(/\/+$/, '')}/`;
  for (const draft of drafts) {
    if (draft.files.length === 0) continue;
    const problem = draft.files.map((f) => explain(f, root)).find((why) => why !== undefined);
    const subdirs = new Set(draft.files.map((f) => f.path.slice(root.length, f.path.length - f.name.length - 1)));
    const parsed = portDistfilesSchema.safeParse({
      port: draft.port,
      distSubdir: [...subdirs][0] ?? '',
      files: draft.files.map((f) => ({ name: f.name, size: Number(f.sums.get('size')), sha256: f.sums.get('sha256') })),
    });
    if (problem !== undefined) skipped.push({ port: draft.port, why: problem });
    else if (subdirs.size !== 1) skipped.push({ port: draft.port, why: `its distfiles are in ${subdirs.size} folders (${[...subdirs].join(', ')}), not one dist_subdir` });
    else if (!parsed.success) skipped.push({ port: draft.port, why: parsed.error.issues.map((issue) => issue.message).join('; ') });
    else ports.push(parsed.data);
  }
  return { ports, skipped };
}

function explain(file: { name: string; path: string; sums: ReadonlyMap<string, string> }, root: string): string | undefined {
  if (!file.path.startsWith(root) || !file.path.endsWith(`/${file.name}`)) return `${file.name} is at ${file.path}, not under ${root}<dist_subdir>/`;
  if (!file.sums.has('sha256')) return `${file.name} has no sha256 checksum`;
  if (!/^\d+$/.test(file.sums.get('size') ?? '')) return `${file.name} has no size checksum`;
  return undefined;
}
