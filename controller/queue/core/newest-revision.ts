/**
 * The newest revision of the branch known to follow `revision`: pushes to one branch form a
 * chain (each push's `before` is the previous push's `after`), so a push delivered late is
 * followed forward through the pushes already received. A cycle (a force push back to an older
 * commit) or a chain longer than `maxSteps` answers `revision` itself: order is then unknown.
 */
export function newestRevision(revision: string, next: (revision: string) => string | undefined, maxSteps = 10_000): string {
  const seen = new Set<string>([revision]);
  let current = revision;
  for (let step = 0; step < maxSteps; step += 1) {
    const after = next(current);
    if (after === undefined) return current;
    if (seen.has(after)) return revision;
    seen.add(after);
    current = after;
  }
  return revision;
}
