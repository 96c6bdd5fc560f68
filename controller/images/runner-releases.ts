import { z } from 'zod';

export interface RunnerRelease {
  readonly version: string;
  /** ISO time GitHub published it; its successor's age decides when older runners are refused. */
  readonly publishedAt: string;
}

const releasesSchema = z.array(
  z.looseObject({
    tag_name: z.string(),
    published_at: z.string().nullable(),
    draft: z.boolean().optional(),
    prerelease: z.boolean().optional(),
  }),
);

/**
 * `GET /repos/actions/runner/releases` → published, non-prerelease versions. Tags look like
 * `v2.330.0`; anything else is skipped rather than guessed at.
 */
export function parseRunnerReleases(body: unknown): readonly RunnerRelease[] {
  const parsed = releasesSchema.safeParse(body);
  if (!parsed.success) throw new Error(`actions/runner releases answer is not a release list: ${parsed.error.message}`);
  return parsed.data.flatMap((r) => {
    const match = /^v(\d+\.\d+\.\d+)$/.exec(r.tag_name);
    if (match?.[1] === undefined || r.published_at === null || r.draft === true || r.prerelease === true) return [];
    return [{ version: match[1], publishedAt: r.published_at }];
  });
}

/** Numeric comparison of x.y.z versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
