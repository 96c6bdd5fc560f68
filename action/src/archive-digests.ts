import { z } from 'zod';

/**
 * A binary archive's file name as mpbb stages it (`<port>-<version>_<revision>[+<variants>].darwin_<n>.<arch>.<ext>`):
 * one plain name, never a path, so a digest list cannot point the deploy job at another file.
 */
export const ARCHIVE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*\.(?:tbz2|tbz|tgz|tar|txz|tlz|xar|zip|cpgz|cpio)$/;

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The builder job's promise to the deploy job: the sha256 of every distributable archive it
 * uploaded, by file name (the `archive-digests` output of gather-archives, passed through a job
 * output so it never travels inside the artifact it vouches for).
 */
export const archiveDigestsSchema = z
  .record(z.string(), z.string().regex(SHA256, { error: 'must be a sha256 (64 lowercase hex digits)' }))
  .superRefine((digests, context) => {
    for (const name of Object.keys(digests)) {
      if (!ARCHIVE_NAME.test(name)) context.addIssue({ code: 'custom', path: [name], message: 'is not an archive file name' });
    }
  });

export type ArchiveDigests = z.output<typeof archiveDigestsSchema>;

/** The `archive-digests` input: JSON of {name: sha256}; empty or unparsable is an error naming the fix. */
export function parseArchiveDigests(text: string): ArchiveDigests | string {
  if (text.trim() === '') return 'is required to deploy: the builder job\'s archive-digests output (needs.<builder>.outputs.archive-digests)';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'must be JSON {"<archive>": "<sha256>"}, as gather-archives writes it';
  }
  const parsed = archiveDigestsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`.replace(/^: /, '')).join('; ');
}
