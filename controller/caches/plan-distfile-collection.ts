import type { BuildKind, BuildResult } from '../model/build-kind.ts';
import { isSafeRelativePath } from './cache-layout.ts';

export interface DistfileCollectionInput {
  readonly buildId: string;
  readonly kind: BuildKind;
  readonly result: BuildResult;
  /** Distfiles the VM fetched during the build (relative to its distfiles folder), as it reported them. */
  readonly fetched: readonly string[];
  /** Distfiles the mirror already has (relative paths). */
  readonly inMirror: ReadonlySet<string>;
  readonly now: Date;
  /** How long a PR build's distfiles are kept in quarantine. */
  readonly quarantineDays: number;
}

export type DistfileCollectionPlan =
  | { readonly destination: 'none'; readonly reason: string; readonly rejected: readonly string[] }
  | {
      readonly destination: 'mirror';
      readonly files: readonly string[];
      readonly reason: string;
      readonly rejected: readonly string[];
    }
  | {
      readonly destination: 'quarantine';
      readonly buildId: string;
      readonly files: readonly string[];
      readonly expiresAt: string;
      readonly reason: string;
      readonly rejected: readonly string[];
    };

/**
 * Where a finished build's new distfiles go. Only a successful master (non-PR) builder adds to
 * the public mirror, and only files the mirror lacks (like `rsync --ignore-existing`); a PR
 * build's files go to quarantine with an expiry, whatever its result; everything else is
 * dropped with the VM. Paths the VM reported that are not plain relative paths are rejected:
 * the VM is not trusted to name where files land.
 */
export function planDistfileCollection(input: DistfileCollectionInput): DistfileCollectionPlan {
  const rejected = input.fetched.filter((p) => !isSafeRelativePath(p));
  const safe = [...new Set(input.fetched.filter(isSafeRelativePath))].sort();
  if (input.kind === 'pr-builder' || input.kind === 'pr-watcher') {
    if (safe.length === 0) return { destination: 'none', reason: 'the PR build fetched no distfiles', rejected };
    const expiresAt = new Date(input.now.getTime() + input.quarantineDays * 86_400_000).toISOString();
    return {
      destination: 'quarantine',
      buildId: input.buildId,
      files: safe,
      expiresAt,
      reason: `PR build: ${safe.length} distfile(s) quarantined until ${expiresAt.slice(0, 10)}, never the mirror`,
      rejected,
    };
  }
  if (input.kind === 'watcher') return { destination: 'none', reason: 'watchers fetch no distfiles worth keeping', rejected };
  if (input.result !== 'success') return { destination: 'none', reason: `the build ended ${input.result}: its distfiles are dropped with the VM`, rejected };
  const files = safe.filter((p) => !input.inMirror.has(p));
  if (files.length === 0) return { destination: 'none', reason: 'the mirror already has every distfile the build fetched', rejected };
  return { destination: 'mirror', files, reason: `successful master build: ${files.length} new distfile(s) for the mirror`, rejected };
}
