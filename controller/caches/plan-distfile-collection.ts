import type { BuildKind, BuildResult } from '../model/build-kind.ts';
import { isSafeRelativePath } from './cache-layout.ts';
import type { QuarantineBudget } from './quarantine-budget.ts';
import { expectedDistfiles, type ExpectedDistfile, type PortDistfiles } from './expected-distfile.ts';

export interface DistfileCollectionInput {
  readonly buildId: string;
  readonly kind: BuildKind;
  readonly result: BuildResult;
  /** Distfiles the VM fetched during the build (relative to its distfiles folder), as it reported them. */
  readonly fetched: readonly string[];
  /** Distfiles the mirror already has (relative paths). */
  readonly inMirror: ReadonlySet<string>;
  /** The built port's distfiles per its Portfile's checksums (master builders); undefined = unknown. */
  readonly expected: PortDistfiles | undefined;
  readonly now: Date;
  /** How long a PR build's distfiles are kept in quarantine. */
  readonly quarantineDays: number;
  /** What a PR build may put into quarantine: past `maxFiles` the rest is refused as `over-budget`. */
  readonly quarantineBudget: QuarantineBudget;
}

/**
 * Why a reported file is not collected: `unsafe-path` (not a plain relative path), `foreign-subdir`
 * (another port's folder), `unplanned` (in the port's folder but not in its checksums),
 * `over-budget` (a PR build's files past its quarantine budget).
 */
export interface RejectedDistfile {
  readonly path: string;
  readonly reason: 'unsafe-path' | 'foreign-subdir' | 'unplanned' | 'over-budget';
}

export type DistfileCollectionPlan =
  | { readonly destination: 'none'; readonly reason: string; readonly rejected: readonly RejectedDistfile[] }
  | {
      readonly destination: 'mirror';
      /** Each with the size and sha256 the cache server will insist on. */
      readonly files: readonly ExpectedDistfile[];
      readonly reason: string;
      readonly rejected: readonly RejectedDistfile[];
    }
  | {
      readonly destination: 'quarantine';
      readonly buildId: string;
      readonly files: readonly string[];
      readonly expiresAt: string;
      readonly reason: string;
      readonly rejected: readonly RejectedDistfile[];
    };

/**
 * Where a finished build's new distfiles go. Only a successful master (non-PR) builder adds to
 * the public mirror, only files its port's checksums name (in its own dist_subdir, each to be
 * checked for size and sha256 on upload) and only files the mirror lacks (like `rsync
 * --ignore-existing`); a PR build's files go to quarantine with an expiry, whatever its result;
 * everything else is dropped with the VM. The VM is not trusted to name where files land: a
 * path that is not plain is rejected, and for the mirror so is any file the checksums do not name.
 */
export function planDistfileCollection(input: DistfileCollectionInput): DistfileCollectionPlan {
  const unsafe: RejectedDistfile[] = input.fetched.filter((p) => !isSafeRelativePath(p)).map((path) => ({ path, reason: 'unsafe-path' }));
  const safe = [...new Set(input.fetched.filter(isSafeRelativePath))].sort();
  if (input.kind === 'pr-builder' || input.kind === 'pr-watcher') {
    if (safe.length === 0) return { destination: 'none', reason: 'the PR build fetched no distfiles', rejected: unsafe };
    const expiresAt = new Date(input.now.getTime() + input.quarantineDays * 86_400_000).toISOString();
    const files = safe.slice(0, input.quarantineBudget.maxFiles);
    const over: RejectedDistfile[] = safe.slice(files.length).map((path) => ({ path, reason: 'over-budget' }));
    return {
      destination: 'quarantine',
      buildId: input.buildId,
      files,
      expiresAt,
      reason: `PR build: ${files.length} distfile(s) quarantined until ${expiresAt.slice(0, 10)}, never the mirror${over.length === 0 ? '' : ` (${over.length} more refused: over the budget of ${input.quarantineBudget.maxFiles} files)`}`,
      rejected: [...unsafe, ...over],
    };
  }
  if (input.kind === 'watcher') return { destination: 'none', reason: 'watchers fetch no distfiles worth keeping', rejected: unsafe };
  if (input.result !== 'success') return { destination: 'none', reason: `the build ended ${input.result}: its distfiles are dropped with the VM`, rejected: unsafe };
  if (input.expected === undefined) {
    return { destination: 'none', reason: "the port's checksums are not known to the controller: nothing from this build goes to the mirror", rejected: unsafe };
  }
  const planned = new Map(expectedDistfiles(input.expected).map((file) => [file.path, file]));
  const ownFolder = `${input.expected.distSubdir}/`;
  const rejected = [...unsafe];
  const files: ExpectedDistfile[] = [];
  for (const path of safe) {
    const file = planned.get(path);
    if (file === undefined) rejected.push({ path, reason: path.startsWith(ownFolder) ? 'unplanned' : 'foreign-subdir' });
    else if (!input.inMirror.has(path)) files.push(file);
  }
  if (files.length === 0) {
    return { destination: 'none', reason: `the mirror already has every distfile of ${input.expected.port} the build fetched`, rejected };
  }
  return { destination: 'mirror', files, reason: `successful master build of ${input.expected.port}: ${files.length} new distfile(s) for the mirror`, rejected };
}
