/** GitHub runs at most 256 jobs of one matrix (GitHub docs, "Workflow syntax": strategy.matrix). */
export const MAX_MATRIX_JOBS = 256;

/**
 * How ports-pr.yml builds a PR's ports on its platforms. When every port × platform fits one
 * matrix, each pair is a job of its own (`ports`: a clean VM and a check per port, as on the
 * farm). Past that — a revbump of hundreds of ports — `chunks` jobs per platform each build a
 * contiguous slice of the list in its dependency order on one VM, as MacPorts' buildbot builds
 * one port after another (`mpbb cleanup` between them). Either list is small whatever the PR's
 * size, so the list job's outputs stay far below GitHub's 1 MB; the chunk jobs read the full
 * list from the list job's artifact.
 */
export function planPullRequestBuilds(ports: number, platforms: number, maxJobs = MAX_MATRIX_JOBS): { readonly perPort: boolean; readonly chunks: number } {
  if (!Number.isInteger(platforms) || platforms < 1) throw new Error(`cannot plan PR builds on ${String(platforms)} platforms: PORTFARM_PR_PLATFORMS must list at least one`);
  if (platforms > maxJobs) throw new Error(`cannot plan PR builds on ${String(platforms)} platforms: one matrix holds ${String(maxJobs)} jobs; list fewer in PORTFARM_PR_PLATFORMS`);
  if (ports * platforms <= maxJobs) return { perPort: true, chunks: 0 };
  return { perPort: false, chunks: Math.min(ports, Math.floor(maxJobs / platforms)) };
}

/** Slice `chunk` (0-based) of `chunks` near-equal contiguous slices: dependency order holds within each, every port is in exactly one. */
export function portSlice<T>(ports: readonly T[], chunk: number, chunks: number): T[] {
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`chunks must be a whole number of at least 1, not ${String(chunks)}`);
  if (!Number.isInteger(chunk) || chunk < 0 || chunk >= chunks) throw new Error(`chunk must be a whole number from 0 to ${String(chunks - 1)}, not ${String(chunk)}`);
  const from = Math.floor((chunk * ports.length) / chunks);
  const to = Math.floor(((chunk + 1) * ports.length) / chunks);
  return ports.slice(from, to);
}
